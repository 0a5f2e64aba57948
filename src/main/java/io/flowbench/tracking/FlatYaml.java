package io.flowbench.tracking;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The flat YAML of MLflow's meta.yaml files: one {@code key: scalar} per line. Writes strings double-quoted
 * with escapes (valid YAML that PyYAML's safe_load reads back exactly); reads what PyYAML's dump writes too
 * (plain, single- and double-quoted scalars, folded over several lines), so stores MLflow itself wrote
 * can be read.
 */
final class FlatYaml {

    private FlatYaml() {
    }

    /** Keys sorted as PyYAML sorts them; values: String, Number, null, or an empty List ({@code []}). */
    static String write(Map<String, ?> values) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, ?> e : new TreeMap<>(values).entrySet()) {
            out.append(e.getKey()).append(": ").append(scalar(e.getValue())).append('\n');
        }
        return out.toString();
    }

    private static String scalar(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number) {
            return v.toString();
        }
        if (v instanceof List<?> l) {
            if (!l.isEmpty()) {
                throw new IllegalArgumentException("only empty lists are written");
            }
            return "[]";
        }
        String s = v.toString();
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                case '\r' -> q.append("\\r");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029' || c == '\ufeff') {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    /** Top-level keys to String (null for YAML null/~/empty; "[]" for an empty flow list). */
    static Map<String, String> read(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String key = null;
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
            if (key != null && (continuation || (line.isEmpty() && inQuotedScalar(lines)))) {
                lines.add(line);
                continue;
            }
            if (key != null) {
                out.put(key, value(lines));
                key = null;
            }
            int colon = line.indexOf(": ");
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            if (colon < 0 && line.endsWith(":")) {
                colon = line.length() - 1;
            }
            if (colon <= 0) {
                continue;
            }
            key = line.substring(0, colon).trim();
            lines = new ArrayList<>();
            lines.add(line.substring(Math.min(line.length(), colon + 1)));
        }
        if (key != null) {
            out.put(key, value(lines));
        }
        return out;
    }

    private static boolean inQuotedScalar(List<String> lines) {
        String first = lines.get(0).strip();
        return first.startsWith("'") || first.startsWith("\"");
    }

    private static String value(List<String> lines) {
        String first = lines.get(0).strip();
        if (first.startsWith("\"")) {
            return doubleQuoted(String.join("\n", lines).strip());
        }
        if (first.startsWith("'")) {
            String s = fold(String.join("\n", lines).strip());
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        String plain = fold(String.join("\n", lines)).strip();
        return plain.isEmpty() || plain.equals("null") || plain.equals("~") || plain.equals("Null")
                || plain.equals("NULL") ? null : plain;
    }

    /** YAML line folding: a line break with the whitespace around it is one space; an empty line is '\n'. */
    private static String fold(String s) {
        String[] parts = s.split("\n", -1);
        StringBuilder out = new StringBuilder(parts[0].stripTrailing());
        boolean pendingSpace = true;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty()) {
                out.append('\n');
                pendingSpace = false;
                continue;
            }
            if (pendingSpace) {
                out.append(' ');
            }
            out.append(p);
            pendingSpace = true;
        }
        return out.toString();
    }

    private static String doubleQuoted(String s) {
        StringBuilder out = new StringBuilder();
        int end = s.lastIndexOf('"');
        int i = 1;
        while (i < end) {
            char c = s.charAt(i);
            if (c == '\\') {
                char n = s.charAt(i + 1);
                i += 2;
                switch (n) {
                    case '\n' -> i = skipIndent(s, i);
                    case 'n' -> out.append('\n');
                    case 't', '\t' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case '0' -> out.append('\0');
                    case 'a' -> out.append('\u0007');
                    case 'b' -> out.append('\b');
                    case 'e' -> out.append('\u001b');
                    case 'f' -> out.append('\f');
                    case 'v' -> out.append('\u000b');
                    case 'N' -> out.append('\u0085');
                    case '_' -> out.append('\u00a0');
                    case 'L' -> out.append('\u2028');
                    case 'P' -> out.append('\u2029');
                    case 'x' -> i = hex(s, i, 2, out);
                    case 'u' -> i = hex(s, i, 4, out);
                    case 'U' -> i = hex(s, i, 8, out);
                    default -> out.append(n);
                }
            } else if (c == '\n') {
                int len = out.length();
                while (len > 0 && (out.charAt(len - 1) == ' ' || out.charAt(len - 1) == '\t')) {
                    len--;
                }
                out.setLength(len);
                i = skipIndent(s, i + 1);
                int blank = 0;
                while (i < end && s.charAt(i) == '\n') {
                    blank++;
                    i = skipIndent(s, i + 1);
                }
                out.append(blank == 0 ? " " : "\n".repeat(blank));
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int skipIndent(String s, int i) {
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int hex(String s, int i, int digits, StringBuilder out) {
        out.appendCodePoint(Integer.parseInt(s.substring(i, i + digits), 16));
        return i + digits;
    }
}
