package io.flowbench.report;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** The report's tables compared across executors: what does not depend on timing, run ids or run order. */
public final class ReportTables {
    /** The tables of a report folder that hold results. */
    public static final List<String> RESULTS = List.of("likelihood.csv", "runs.csv", "convergence.csv", "curves.csv");

    private ReportTables() {
    }

    /** A report table without its run ids and timings (columns naming time or seconds), its rows sorted. */
    public static List<Map<String, String>> withoutTimes(Path csv) throws IOException {
        try (Reader r = Files.newBufferedReader(csv);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            List<Map<String, String>> rows = new ArrayList<>();
            for (CSVRecord record : p) {
                Map<String, String> row = new TreeMap<>(record.toMap());
                row.keySet().removeIf(k -> k.equals("run_id") || k.contains("time") || k.contains("_sec"));
                rows.add(row);
            }
            rows.sort((a, b) -> a.toString().compareTo(b.toString()));
            return rows;
        }
    }
}
