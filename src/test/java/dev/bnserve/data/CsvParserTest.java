package dev.bnserve.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvParserTest {

    private final CsvParser parser = new CsvParser(CsvLimits.unlimited());

    // ---------------------------------------------------------------- real datasets

    @Test
    void iris() throws IOException {
        Dataset d = parseResource("iris");
        assertThat(d.rows()).isEqualTo(150);
        assertThat(d.columnNames())
                .containsExactly("sepal_length", "sepal_width", "petal_length", "petal_width", "species");
        assertThat(d.columns().subList(0, 4)).allMatch(c -> c.type() == ColumnType.NUMERIC);
        assertThat(d.requireColumn("species").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(d.levels("species")).containsExactly("setosa", "versicolor", "virginica");
        int[] counts = new int[3];
        for (int code : d.codes("species")) {
            counts[code]++;
        }
        assertThat(counts).containsExactly(50, 50, 50);
        // Well-known published figures (population std), as a sanity check of the convention.
        NumericColumn sepal = d.numericColumn("sepal_length");
        assertThat(sepal.mean()).isCloseTo(5.8433, within(1e-4));
        assertThat(sepal.std()).isCloseTo(0.8253, within(1e-4));
        assertThat(sepal.min()).isEqualTo(4.3);
        assertThat(sepal.max()).isEqualTo(7.9);
        assertSummariesMatchNaiveComputation("iris", d);
    }

    @Test
    void breastCancer() throws IOException {
        Dataset d = parseResource("breast_cancer");
        assertThat(d.rows()).isEqualTo(569);
        assertThat(d.columns()).hasSize(31);
        assertThat(d.columns().subList(0, 30)).allMatch(c -> c.type() == ColumnType.NUMERIC);
        assertThat(d.levels("diagnosis")).containsExactly("benign", "malignant");
        assertSummariesMatchNaiveComputation("breast_cancer", d);
    }

    @Test
    void digits() throws IOException {
        Dataset d = parseResource("digits");
        assertThat(d.rows()).isEqualTo(1797);
        assertThat(d.columns()).hasSize(65).allMatch(c -> c.type() == ColumnType.NUMERIC && c.missing() == 0);
        NumericColumn digit = d.numericColumn("digit");
        assertThat(digit.min()).isEqualTo(0);
        assertThat(digit.max()).isEqualTo(9);
        assertSummariesMatchNaiveComputation("digits", d);
    }

    @Test
    void matrixIsRowMajorOverTheRequestedColumnsAndRows() throws IOException {
        Dataset d = parseResource("iris");
        List<String> features = List.of("petal_width", "sepal_length");
        double[] m = d.matrix(features);
        assertThat(m).hasSize(150 * 2);
        double[] pw = d.numeric("petal_width");
        double[] sl = d.numeric("sepal_length");
        for (int r = 0; r < 150; r++) {
            assertThat(m[2 * r]).isEqualTo(pw[r]);
            assertThat(m[2 * r + 1]).isEqualTo(sl[r]);
        }
        double[] picked = d.matrix(features, new int[] {149, 0, 149});
        assertThat(picked).containsExactly(pw[149], sl[149], pw[0], sl[0], pw[149], sl[149]);
        assertThatThrownBy(() -> d.matrix(List.of("species")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not numeric");
        assertThatThrownBy(() -> d.numeric("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessorsReturnCopies() throws IOException {
        Dataset d = parseResource("iris");
        d.numeric("sepal_length")[0] = -1;
        d.codes("species")[0] = 2;
        assertThat(d.numeric("sepal_length")[0]).isEqualTo(5.1);
        assertThat(d.codes("species")[0]).isZero();
        assertThatThrownBy(() -> d.levels("species").add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---------------------------------------------------------------- dialect

    @Test
    void quotedFieldsWithSeparatorsEscapedQuotesAndNewlines() throws IOException {
        Dataset d = parse("text,n\n\"a, b\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n\"\",4\n");
        CategoricalColumn text = d.categoricalColumn("text");
        assertThat(d.rows()).isEqualTo(4);
        assertThat(values(text)).containsExactly("a, b", "say \"hi\"", "two\nlines", null);
        assertThat(d.numeric("n")).containsExactly(1, 2, 3, 4);
    }

    @Test
    void quotedNumbersAreNumbers() throws IOException {
        Dataset d = parse("\"x\",\"y\"\n\"1.5\",2\n\"3\",\"4\"\n");
        assertThat(d.numeric("x")).containsExactly(1.5, 3);
        assertThat(d.numeric("y")).containsExactly(2, 4);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a,b\r\n1,2\r\n3,4\r\n",
                "a,b\n1,2\n3,4\n",
                "a,b\r1,2\r3,4\r",
                "a,b\n1,2\r\n3,4",
                "a,b\n\n1,2\n\n\n3,4\n\n"
            })
    void lineEndingsTrailingNewlineAndBlankLines(String csv) throws IOException {
        Dataset d = parse(csv);
        assertThat(d.columnNames()).containsExactly("a", "b");
        assertThat(d.numeric("a")).containsExactly(1, 3);
        assertThat(d.numeric("b")).containsExactly(2, 4);
    }

    @Test
    void utf8ByteOrderMarkIsSkipped() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "name,v\nÄrger,1\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, all, 0, 3);
        System.arraycopy(body, 0, all, 3, body.length);
        Dataset d = parser.parse(new ByteArrayInputStream(all), StandardCharsets.UTF_8, "bom");
        assertThat(d.columnNames()).containsExactly("name", "v");
        assertThat(d.levels("name")).containsExactly("Ärger");
    }

    @Test
    void headerNamesAreTrimmed() throws IOException {
        assertThat(parse(" a , b\n1,2\n").columnNames()).containsExactly("a", "b");
    }

    @Test
    void missingValuesAreCountedNotRejected() throws IOException {
        Dataset d = parse("x,label\n1,a\n,\n3,b\n");
        NumericColumn x = d.numericColumn("x");
        assertThat(x.missing()).isEqualTo(1);
        assertThat(x.mean()).isEqualTo(2);
        assertThat(x.std()).isEqualTo(1); // population: sqrt(((1-2)^2 + (3-2)^2) / 2)
        assertThat(Double.isNaN(x.get(1))).isTrue();
        assertThat(d.codes("label")).containsExactly(0, -1, 1);
        assertThat(d.missing("label")).isEqualTo(1);
    }

    @Test
    void allEmptyColumnIsNumericWithoutSummaries() throws IOException {
        NumericColumn x = parse("x,y\n,1\n,2\n").numericColumn("x");
        assertThat(x.missing()).isEqualTo(2);
        assertThat(Double.isNaN(x.mean())).isTrue();
    }

    @Test
    void categoricalLevelsAreSortedAndCodesFollow() throws IOException {
        Dataset d = parse("c\nzebra\napple\nmango\napple\n");
        assertThat(d.levels("c")).containsExactly("apple", "mango", "zebra");
        assertThat(d.codes("c")).containsExactly(2, 0, 1, 0);
    }

    // ---------------------------------------------------------------- numeric -> categorical

    @Test
    void numericColumnTurnedCategoricalKeepsTheOriginalText() throws IOException {
        List<String> cells = List.of(
                "1.50",
                "007",
                "1e3",
                "-0",
                "-0.0",
                "2",
                "3.25",
                " 4 ",
                "+5",
                "12345678901234567890",
                "",
                "0.1",
                "1.",
                ".5",
                "NaN",
                "-Infinity",
                "2",
                "oops");
        Dataset d = parse(withKeyColumn(cells));
        CategoricalColumn v = d.categoricalColumn("v");
        for (int i = 0; i < cells.size(); i++) {
            // "NaN" is a missing-value token: missing like the empty cell, in a text column too
            String expected = cells.get(i).isEmpty() || cells.get(i).equals("NaN") ? null : cells.get(i);
            assertThat(v.value(i)).as("row %d", i).isEqualTo(expected);
        }
        assertThat(v.missing()).isEqualTo(2);
        assertThat(v.distinct()).isEqualTo(cells.size() - 3); // "", "NaN" and the second "2"
        assertThat(v.levels()).isSorted();
    }

    @Test
    void randomNumericSpellingsSurviveReEncoding() throws IOException {
        Random random = new Random(42);
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            cells.add(randomNumber(random));
        }
        cells.add("text");
        Dataset d = parse(withKeyColumn(cells));
        CategoricalColumn v = d.categoricalColumn("v");
        for (int i = 0; i < cells.size(); i++) {
            String expected = cells.get(i).isEmpty() ? null : cells.get(i);
            assertThat(v.value(i)).as("row %d", i).isEqualTo(expected);
        }
    }

    @Test
    void infinityLiteralIsAnOrdinaryLevelInATextColumn() throws IOException {
        Dataset d = parse("c\nfoo\nInfinity\n");
        assertThat(d.levels("c")).containsExactly("Infinity", "foo");
    }

    @Test
    void nanIsAMissingTokenInATextColumnToo() throws IOException {
        CategoricalColumn c = parse("c\nfoo\nNaN\n").categoricalColumn("c");
        assertThat(c.levels()).containsExactly("foo");
        assertThat(c.missing()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- errors

    @Test
    void raggedRowsAreReportedWithTheirLineNumbers() {
        Problem e = fail("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n");
        assertThat(e.kind()).isEqualTo(Problem.Kind.MALFORMED);
        assertThat(e.violations())
                .containsExactly(
                        Violation.cell(3, null, "row 3 has 2 fields, header has 3"),
                        Violation.cell(4, null, "row 4 has 4 fields, header has 3"));
    }

    @Test
    void lineNumbersCountPhysicalLinesInsideQuotedFields() {
        Problem e = fail("a,b\n\"x\ny\",1\n2\n");
        assertThat(e.violations()).extracting(Violation::row).containsExactly(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "\uFEFF", "\r\n"})
    void emptyFile(String csv) {
        Violation error = single(fail(csv));
        assertThat(error.row()).isEqualTo(1);
        assertThat(error.column()).isNull();
        assertThat(error.message()).contains("empty");
    }

    @Test
    void headerWithoutDataRows() {
        Violation error = single(fail("a,b\n"));
        assertThat(error.row()).isEqualTo(2);
        assertThat(error.message()).contains("no data rows");
    }

    @Test
    void duplicateHeaderName() {
        Violation error = single(fail("a,b,a\n1,2,3\n"));
        assertThat(error).isEqualTo(Violation.cell(1, "3", "duplicate column name 'a' (columns 1 and 3)"));
    }

    @Test
    void controlCharactersAndASecondBomInAHeaderNameAreRefusedByColumn() {
        assertThat(single(fail("a,b\u0000c\n1,2\n")))
                .isEqualTo(
                        Violation.cell(
                                1,
                                "2",
                                "column 2's name holds the control character U+0000 at position 2; names must be printable text"));
        assertThat(single(fail("\"x\u0007\",b\n1,2\n")).column()).isEqualTo("1");
        // the leading BOM is skipped as always; a second one, as when two files were concatenated, is refused
        Violation bom = single(fail("\uFEFF\uFEFFa,b\n1,2\n"));
        assertThat(bom.column()).isEqualTo("1");
        assertThat(bom.message()).contains("byte-order mark (U+FEFF) at position 1");
    }

    @Test
    void aCellHoldingAControlCharacterIsRefusedByRowAndColumn() throws IOException {
        // accepted before: b became a categorical column with the levels "x", "y\u0000z" and "\u0001w"
        Problem p = fail("a,b\n1,x\n2,y\u0000z\n3,\u0001w\n4,y\u0000z\n");
        assertThat(single(p))
                .isEqualTo(Violation.cell(
                        3,
                        "b",
                        "the cell holds the control character U+0000 at position 2 (2 such values in this column);"
                                + " cells must be printable text (tab and line breaks in quotes allowed)"));
        // a tab, or a line break inside quotes, is text
        assertThat(parse("a,b\n1,\"x\ty\"\n2,\"two\nlines\"\n").rows()).isEqualTo(2);
    }

    @Test
    void emptyHeaderName() {
        Violation error = single(fail("a,  ,c\n1,2,3\n"));
        assertThat(error.row()).isEqualTo(1);
        assertThat(error.column()).isEqualTo("2");
        assertThat(error.message()).contains("empty name");
    }

    @Test
    void unterminatedQuoteNamesTheLineWhereItOpened() {
        Violation error = single(fail("a,b\n1,2\n3,\"abc\n4,5\n6,7\n"));
        assertThat(error.row()).isEqualTo(3);
        assertThat(error.column()).isEqualTo("b");
        assertThat(error.message()).contains("unterminated");
    }

    @Test
    void characterAfterClosingQuote() {
        Violation error = single(fail("a,b\n1,2\n\"x\"y,3\n"));
        assertThat(error.row()).isEqualTo(3);
        assertThat(error.column()).isEqualTo("a");
        assertThat(error.message()).contains("after a closing quote");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Infinity", "-Infinity", "+inf", "INF", "1e999", "-1e999"})
    void nonFiniteNumbersInANumericColumnNameTheCell(String literal) {
        Violation error = single(fail("a,b\n1,x\n2,y\n" + literal + ",z\n4,w\n"));
        assertThat(error.row()).isEqualTo(4);
        assertThat(error.column()).isEqualTo("a");
        assertThat(error.message()).contains("'" + literal + "' is not a finite number");
    }

    @Test
    void tooManyColumns() {
        Problem e = fail(new CsvParser(new CsvLimits(0, 0, 2)), "a,b,c\n1,2,3\n");
        assertThat(e.kind()).isEqualTo(Problem.Kind.TOO_LARGE);
        assertThat(single(e).row()).isEqualTo(1);
        assertThat(single(e).message()).contains("3 columns", "limit is 2", "bnserve.limits.max-columns");
    }

    @Test
    void tooManyRows() {
        Problem e = fail(new CsvParser(new CsvLimits(0, 2, 0)), "a\n1\n2\n3\n4\n");
        assertThat(e.kind()).isEqualTo(Problem.Kind.TOO_LARGE);
        assertThat(single(e).row()).isEqualTo(4);
        assertThat(single(e).message()).contains("bnserve.limits.max-rows");
    }

    @Test
    void tooManyBytes() {
        CsvParser limited = new CsvParser(new CsvLimits(100, 0, 0));
        byte[] csv = ("a,b\n" + "1,2\n".repeat(100)).getBytes(StandardCharsets.UTF_8);
        Problem e = catchThrowableOfType(
                Problem.class, () -> limited.parse(new ByteArrayInputStream(csv), StandardCharsets.UTF_8, "x"));
        assertThat(e.kind()).isEqualTo(Problem.Kind.TOO_LARGE);
        assertThat(single(e).message()).contains("100 bytes", "bnserve.limits.max-upload-bytes");
    }

    @Test
    void exactlyAtTheByteLimitIsFine() throws IOException {
        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        CsvParser limited = new CsvParser(new CsvLimits(csv.length, 0, 0));
        assertThat(limited.parse(new ByteArrayInputStream(csv), StandardCharsets.UTF_8, "x")
                        .rows())
                .isEqualTo(1);
    }

    @Test
    void invalidUtf8IsAMalformedFileNotACrash() {
        byte[] csv = {'a', ',', 'b', '\n', '1', ',', '2', '\n', '3', ',', (byte) 0xC3, (byte) 0x28, '\n'};
        Problem e = catchThrowableOfType(
                Problem.class, () -> parser.parse(new ByteArrayInputStream(csv), StandardCharsets.UTF_8, "x"));
        assertThat(e.kind()).isEqualTo(Problem.Kind.MALFORMED);
        assertThat(single(e).row()).isEqualTo(3);
        assertThat(single(e).column()).isEqualTo("b");
        assertThat(single(e).message()).contains("not valid UTF-8");
    }

    @Test
    void collectionStopsAfterMaxErrors() {
        Problem e = fail("a,b\n" + "1\n".repeat(100));
        assertThat(e.violations()).hasSize(CsvParser.MAX_ERRORS);
        assertThat(e.violations().get(CsvParser.MAX_ERRORS - 1).row()).isEqualTo(CsvParser.MAX_ERRORS + 1);
    }

    @Test
    void errorsOfDifferentKindsAreCollectedTogether() {
        Problem e = fail("a,b\n1,x\n2\nInfinity,y\n");
        assertThat(e.violations()).extracting(Violation::row).containsExactly(3, 4);
        assertThat(e.violations()).extracting(Violation::column).containsExactly(null, "a");
    }

    // ---------------------------------------------------------------- scale

    @Test
    void largeInputIsStreamedIntoPrimitiveArrays() throws IOException {
        int rows = 200_000;
        SyntheticCsv input = new SyntheticCsv(rows);
        Runtime rt = Runtime.getRuntime();
        long before = usedHeap(rt);
        Dataset d = parser.parse(input, StandardCharsets.UTF_8, "big");
        long retained = usedHeap(rt) - before;

        assertThat(d.rows()).isEqualTo(rows);
        assertThat(d.numericColumn("id").max()).isEqualTo(rows - 1);
        assertThat(d.numericColumn("x").mean()).isCloseTo(input.sumX / rows, within(1e-9));
        assertThat(d.levels("group")).containsExactly("g0", "g1", "g2", "g3", "g4", "g5", "g6");
        // 3 double columns + 1 int column = 28 bytes/row ~ 5.6 MB; one String per cell would be > 30 MB.
        assertThat(retained).as("heap retained by the dataset").isLessThan(20L << 20);
        assertThat(input.bytes).isGreaterThan(6L << 20);
    }

    // ---------------------------------------------------------------- helpers

    private Dataset parse(String csv) throws IOException {
        return parser.parse(new StringReader(csv), "test");
    }

    /** Column {@code v} with the given cells (quoted where needed) plus a key column, so empty cells are kept. */
    private static String withKeyColumn(List<String> cells) {
        StringBuilder sb = new StringBuilder("v,k\n");
        for (String cell : cells) {
            sb.append(cell).append(",k\n");
        }
        return sb.toString();
    }

    @Test
    void blankLinesAreSkippedEvenInASingleColumnFile() throws IOException {
        assertThat(parse("v\n1\n\n2\n").numeric("v")).containsExactly(1, 2);
    }

    private Problem fail(String csv) {
        return fail(parser, csv);
    }

    private static Problem fail(CsvParser p, String csv) {
        Problem e = catchThrowableOfType(Problem.class, () -> p.parse(new StringReader(csv), "t"));
        assertThat(e).as("expected a Problem").isNotNull();
        return e;
    }

    private static Violation single(Problem e) {
        assertThat(e.violations()).hasSize(1);
        return e.violations().get(0);
    }

    private static List<String> values(CategoricalColumn c) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.value(i));
        }
        return out;
    }

    private Dataset parseResource(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return parser.parse(in, StandardCharsets.UTF_8, name);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = CsvParserTest.class.getResourceAsStream("/data/" + name + ".csv");
        assertThat(in).as("test resource %s", name).isNotNull();
        return in;
    }

    /**
     * Recomputes every numeric column's summary from the raw text with BigDecimal arithmetic (the files hold
     * no quotes, so splitting on commas is exact) and compares with the parser's doubles.
     */
    private static void assertSummariesMatchNaiveComputation(String name, Dataset d) throws IOException {
        List<String[]> lines = new ArrayList<>();
        String[] header;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(resource(name), StandardCharsets.UTF_8))) {
            header = r.readLine().split(",", -1);
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isEmpty()) {
                    lines.add(line.split(",", -1));
                }
            }
        }
        assertThat(lines).hasSize(d.rows());
        MathContext mc = MathContext.DECIMAL128;
        int checked = 0;
        for (int j = 0; j < header.length; j++) {
            if (d.requireColumn(header[j]).type() != ColumnType.NUMERIC) {
                continue;
            }
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal min = null;
            BigDecimal max = null;
            for (String[] row : lines) {
                BigDecimal v = new BigDecimal(row[j]);
                sum = sum.add(v);
                min = min == null || v.compareTo(min) < 0 ? v : min;
                max = max == null || v.compareTo(max) > 0 ? v : max;
            }
            BigDecimal n = BigDecimal.valueOf(lines.size());
            BigDecimal mean = sum.divide(n, mc);
            BigDecimal squares = BigDecimal.ZERO;
            for (String[] row : lines) {
                BigDecimal dev = new BigDecimal(row[j]).subtract(mean);
                squares = squares.add(dev.multiply(dev));
            }
            double std = squares.divide(n, mc).sqrt(mc).doubleValue();
            NumericColumn c = d.numericColumn(header[j]);
            double tolerance = 1e-12 * Math.max(1, Math.abs(mean.doubleValue()));
            assertThat(c.mean()).as("%s.%s mean", name, header[j]).isCloseTo(mean.doubleValue(), within(tolerance));
            assertThat(c.std()).as("%s.%s std", name, header[j]).isCloseTo(std, within(1e-12 * Math.max(1, std)));
            assertThat(c.min()).as("%s.%s min", name, header[j]).isEqualTo(min.doubleValue());
            assertThat(c.max()).as("%s.%s max", name, header[j]).isEqualTo(max.doubleValue());
            checked++;
        }
        assertThat(checked).isPositive();
    }

    private static String randomNumber(Random random) {
        switch (random.nextInt(9)) {
            case 0:
                return Integer.toString(random.nextInt(2001) - 1000);
            case 1:
                return String.format(
                        java.util.Locale.ROOT, "%." + random.nextInt(6) + "f", random.nextGaussian() * 100);
            case 2:
                return Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            case 3:
                return String.format(java.util.Locale.ROOT, "%e", random.nextGaussian());
            case 4:
                return "";
            case 5:
                return "0" + random.nextInt(100);
            case 6:
                return Long.toString(random.nextLong());
            case 7:
                return String.format(java.util.Locale.ROOT, "%.17f", random.nextDouble());
            default:
                return "-0." + "0".repeat(random.nextInt(3)) + (1 + random.nextInt(999));
        }
    }

    private static long usedHeap(Runtime rt) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Generates {@code id,x,y,group} rows on the fly, never holding the whole text. */
    private static final class SyntheticCsv extends InputStream {
        private final int rows;
        private final Random random = new Random(7);
        private byte[] chunk = "id,x,y,group\n".getBytes(StandardCharsets.US_ASCII);
        private int pos;
        private int row;
        double sumX;
        long bytes;

        SyntheticCsv(int rows) {
            this.rows = rows;
        }

        @Override
        public int read() {
            if (pos == chunk.length && !next()) {
                return -1;
            }
            bytes++;
            return chunk[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == chunk.length && !next()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            bytes += n;
            return n;
        }

        private boolean next() {
            if (row == rows) {
                return false;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 1000 && row < rows; i++, row++) {
                double x = Math.round(random.nextGaussian() * 1e6) / 1e4;
                sumX += x;
                sb.append(row)
                        .append(',')
                        .append(x)
                        .append(',')
                        .append(random.nextInt(1000) / 7.0)
                        .append(",g")
                        .append(row % 7)
                        .append('\n');
            }
            chunk = sb.toString().getBytes(StandardCharsets.US_ASCII);
            pos = 0;
            return true;
        }
    }
}
