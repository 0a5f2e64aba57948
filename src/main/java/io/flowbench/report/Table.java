package io.flowbench.report;

import java.util.ArrayList;
import java.util.List;

/** A table of display cells, rendered as Markdown (GitHub pipes) or HTML; numeric columns align right. */
final class Table {
    private final List<String> header;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    /** {@code align}: one character per column, 'l' or 'r'. */
    Table(String align, String... header) {
        if (align.length() != header.length) {
            throw new IllegalArgumentException("alignment '" + align + "' for " + header.length + " columns");
        }
        this.header = List.of(header);
        this.right = new boolean[header.length];
        for (int i = 0; i < header.length; i++) {
            right[i] = align.charAt(i) == 'r';
        }
    }

    Table row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + header.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        line(sb, header);
        sb.append('|');
        for (boolean r : right) {
            sb.append(r ? "---:|" : "---|");
        }
        sb.append('\n');
        rows.forEach(row -> line(sb, row));
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells) {
        sb.append('|');
        cells.forEach(c -> sb.append(' ').append(c.replace("|", "\\|")).append(" |"));
        sb.append('\n');
    }

    String html() {
        StringBuilder sb = new StringBuilder("<table>\n<thead><tr>");
        for (int i = 0; i < header.size(); i++) {
            sb.append(cell("th", i, header.get(i)));
        }
        sb.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            sb.append("<tr>");
            for (int i = 0; i < row.size(); i++) {
                sb.append(cell("td", i, row.get(i)));
            }
            sb.append("</tr>\n");
        }
        return sb.append("</tbody>\n</table>\n").toString();
    }

    private String cell(String tag, int column, String text) {
        return "<" + tag + (right[column] ? " class=\"num\"" : "") + ">" + Document.escape(text) + "</" + tag + ">";
    }
}
