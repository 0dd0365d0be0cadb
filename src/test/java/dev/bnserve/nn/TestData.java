package dev.bnserve.nn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Loads the small shipped CSV data sets (no quoting in them) for core tests, without the service's parser. */
final class TestData {
    private TestData() {}

    /** Classification data: every column but {@code label} is a feature; classes are the sorted distinct labels. */
    static TrainingData classification(String resource, String label) {
        List<String[]> rows = read(resource);
        String[] header = rows.remove(0);
        int li = List.of(header).indexOf(label);
        if (li < 0) throw new IllegalArgumentException("no column '" + label + "' in " + resource);
        int d = header.length - 1;
        for (int r = 0; r < rows.size(); r++) {
            if (rows.get(r).length != header.length) {
                throw new IllegalArgumentException(
                        resource + " row " + (r + 2) + " has " + rows.get(r).length + " cells, not " + header.length);
            }
        }
        TreeSet<String> classes = new TreeSet<>();
        for (String[] r : rows) classes.add(r[li]);
        List<String> levels = new ArrayList<>(classes);
        double[] x = new double[rows.size() * d];
        int[] y = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            String[] f = rows.get(r);
            for (int j = 0, c = 0; j < f.length; j++) {
                if (j == li) continue;
                x[r * d + c++] = Double.parseDouble(f[j]);
            }
            y[r] = levels.indexOf(f[li]);
        }
        return TrainingData.classification(x, rows.size(), d, y, levels.size());
    }

    private static List<String[]> read(String resource) {
        var stream = TestData.class.getResourceAsStream(resource);
        if (stream == null) throw new IllegalArgumentException("no test resource " + resource);
        try (var in = stream;
                var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String[]> rows = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) if (!line.isBlank()) rows.add(line.split(","));
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
