package io.flowbench.report;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A report as a list of blocks (headings, paragraphs, tables, images) rendered two ways: Markdown, which
 * links images as files next to it, and one self-contained HTML page with the images inlined (base64).
 */
final class Document {
    private interface Block {
        String markdown();

        String html();
    }

    private record Heading(int level, String text) implements Block {
        public String markdown() {
            return "#".repeat(level) + " " + text + "\n";
        }

        public String html() {
            return "<h" + level + ">" + escape(text) + "</h" + level + ">\n";
        }
    }

    private record Paragraph(String text) implements Block {
        public String markdown() {
            return text + "\n";
        }

        public String html() {
            return "<p>" + escape(text) + "</p>\n";
        }
    }

    private record TableBlock(Table table) implements Block {
        public String markdown() {
            return table.markdown();
        }

        public String html() {
            return table.html();
        }
    }

    private record Image(String file, String alt, byte[] png) implements Block {
        public String markdown() {
            return "![" + alt + "](" + file + ")\n";
        }

        public String html() {
            return "<p><img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(png) + "\"></p>\n";
        }
    }

    private final List<Block> blocks = new ArrayList<>();

    Document heading(int level, String text) {
        blocks.add(new Heading(level, text));
        return this;
    }

    /** Plain text (no markup), one paragraph. */
    Document paragraph(String text) {
        blocks.add(new Paragraph(text));
        return this;
    }

    Document table(Table table) {
        blocks.add(new TableBlock(table));
        return this;
    }

    /** A PNG image, written by the caller as {@code file} beside the Markdown. */
    Document image(String file, String alt, byte[] png) {
        blocks.add(new Image(file, alt, png));
        return this;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Block b : blocks) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(b.markdown());
        }
        return sb.toString();
    }

    String html(String title) {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <title>%s</title>
                <style>
                body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
                table { border-collapse: collapse; margin: 1rem 0; }
                th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; }
                th { background: #f3f3f3; }
                td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
                img { max-width: 100%%; }
                p { line-height: 1.45; }
                </style>
                </head>
                <body>
                """.formatted(escape(title)));
        blocks.forEach(b -> sb.append(b.html()));
        return sb.append("</body>\n</html>\n").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
