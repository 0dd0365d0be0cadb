package dev.bnserve.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Missing-value tokens, date columns, delimiters and the real-world cars file. */
class CsvIngestRulesTest {

    private static final CsvParser PARSER = new CsvParser(CsvLimits.unlimited());

    @Nested
    class MissingTokens {

        @Test
        void defaultTokensKeepANumericColumnNumeric() throws IOException {
            Dataset d = parse("x,k\n1,a\nNA,a\nN/A,a\n2,a\nnull,a\nNone,a\nNaN,a\n,a\n  na ,a\nNONE,a\n3,a\n");
            NumericColumn x = d.numericColumn("x");
            assertThat(x.missing()).isEqualTo(8);
            assertThat(x.mean()).isEqualTo(2);
            assertThat(d.numeric("x"))
                    .usingElementComparator(CsvIngestRulesTest::sameDouble)
                    .containsExactly(
                            1,
                            Double.NaN,
                            Double.NaN,
                            2,
                            Double.NaN,
                            Double.NaN,
                            Double.NaN,
                            Double.NaN,
                            Double.NaN,
                            Double.NaN,
                            3);
        }

        @Test
        void tokensAreMissingInTextColumnsToo() throws IOException {
            CategoricalColumn c = parse("c\nred\nNA\nblue\nnull\n\n").categoricalColumn("c");
            assertThat(c.levels()).containsExactly("blue", "red");
            assertThat(c.missing()).isEqualTo(2);
            assertThat(c.codes()).containsExactly(1, -1, 0, -1);
        }

        @Test
        void aBlankCellIsMissing() throws IOException {
            assertThat(parse("x,k\n1,a\n   ,a\n").numericColumn("x").missing()).isEqualTo(1);
        }

        @Test
        void customTokensReplaceTheDefaults() throws IOException {
            CsvOptions options = CsvOptions.defaults().withMissingTokens("?, -,missing", "na");
            assertThat(options.missingTokens()).containsExactly("?", "-", "missing");
            Dataset d = parse("x,c\n1,NA\n?,b\n-,MISSING\n,a\n4,?\n", options);
            NumericColumn x = d.numericColumn("x");
            assertThat(x.missing()).isEqualTo(3);
            assertThat(x.mean()).isEqualTo(2.5);
            CategoricalColumn c = d.categoricalColumn("c");
            assertThat(c.levels()).containsExactly("NA", "a", "b"); // NA is no token any more
            assertThat(c.missing()).isEqualTo(2);
        }

        @Test
        void sentinelNumbersCanBeTokens() throws IOException {
            CsvOptions options = CsvOptions.defaults().withMissingTokens("-999", "na");
            NumericColumn x = parse("x\n1\n-999\n3\n", options).numericColumn("x");
            assertThat(x.missing()).isEqualTo(1);
            assertThat(x.max()).isEqualTo(3);
        }

        @Test
        void withoutNaNAsATokenNaNIsAgainANonFiniteError() {
            CsvOptions options = CsvOptions.defaults().withMissingTokens("", "na");
            Problem e = fail("x,y\n1,2\n3,NaN\n", options);
            assertThat(e.violations())
                    .containsExactly(Violation.cell(
                            3, "y", "'NaN' is not a finite number; leave the cell empty for a missing value"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"Infinity", "-Infinity"})
        void infinityStaysAnErrorNamingRowAndColumn(String literal) {
            Problem e = fail("x,y\n1,2\n3," + literal + "\nNA,4\n", CsvOptions.defaults());
            assertThat(e.violations())
                    .containsExactly(
                            Violation.cell(
                                    3,
                                    "y",
                                    "'" + literal
                                            + "' is not a finite number; leave the cell empty or write NA for a missing value"));
        }

        @Test
        void tooManyOrTooLongTokensNameTheField() {
            Problem many = catchThrowableOfType(
                    Problem.class, () -> CsvOptions.defaults().withMissingTokens("x,".repeat(101) + "y", "na"));
            assertThat(many.kind()).isEqualTo(Problem.Kind.MALFORMED);
            assertThat(many.violations()).extracting(Violation::field).containsExactly("na");
            Problem longer = catchThrowableOfType(
                    Problem.class, () -> CsvOptions.defaults().withMissingTokens("x".repeat(101), "na"));
            assertThat(longer.violations()).extracting(Violation::field).containsExactly("na");
        }
    }

    @Nested
    class Dates {

        @Test
        void datesAreUtcMidnightInEpochSeconds() throws IOException {
            Dataset d = parse("when,k\n2012-01-01,a\n1970-01-01,a\nNA,a\n1982-01-01,a\n");
            DateColumn when = d.dateColumn("when");
            assertThat(when.type()).isEqualTo(ColumnType.DATE);
            assertThat(when.hasTime()).isFalse();
            assertThat(d.dates("when"))
                    .usingElementComparator(CsvIngestRulesTest::sameDouble)
                    .containsExactly(1_325_376_000, 0, Double.NaN, 378_691_200);
            assertThat(when.missing()).isEqualTo(1);
            assertThat(when.min()).isZero();
            assertThat(when.max()).isEqualTo(1_325_376_000);
            assertThat(when.format(when.min())).isEqualTo("1970-01-01");
            assertThat(when.format(when.max())).isEqualTo("2012-01-01");
        }

        @Test
        void dateTimesWithZoneOffsetOrNoneAreExact() throws IOException {
            Dataset d = parse("t\n2012-01-01T13:00:00Z\n2012-01-01T13:00:00+02:00\n2012-01-01T13:00:00\n"
                    + "2012-02-29T00:00:00-05:30\n1969-12-31T23:59:59.5Z\n2012-01-01 13:00\n2012-01-01\n");
            DateColumn t = d.dateColumn("t");
            assertThat(t.hasTime()).isTrue();
            assertThat(t.epochSeconds())
                    .containsExactly(
                            1_325_422_800,
                            1_325_415_600,
                            1_325_422_800,
                            1_330_493_400,
                            -0.5,
                            1_325_422_800,
                            1_325_376_000);
            assertThat(t.format(t.min())).isEqualTo("1969-12-31T23:59:59.500Z");
            assertThat(t.format(t.max())).isEqualTo("2012-02-29T05:30:00Z");
        }

        @Test
        void accessorsCopy() throws IOException {
            Dataset d = parse("t\n2012-01-01\n");
            d.dates("t")[0] = 1;
            d.dateColumn("t").epochSeconds()[0] = 1;
            assertThat(d.dates("t")).containsExactly(1_325_376_000);
            assertThatThrownBy(() -> d.numeric("t"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is date, not numeric");
            assertThatThrownBy(() -> d.matrix(List.of("t"))).isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "2012-13-01",
                    "2013-02-29",
                    "2012-01-01T25:00",
                    "2012-1-1",
                    "2012-01-01T13:00:00+2",
                    "2012-01-01T13:00:00.Z",
                    "0000-01-01T00:00:00+01:00",
                    "9999-12-31T23:00:00-05:00",
                    "next tuesday",
                    "5"
                })
        void aBadDateInADateColumnMakesItCategoricalNotAnError(String bad) throws IOException {
            Dataset d = parse("t,k\n2012-01-01,a\n2012-01-01T13:00:00Z,b\n" + bad + ",c\n2012-01-03,d\n");
            CategoricalColumn t = d.categoricalColumn("t");
            assertThat(values(t)).containsExactly("2012-01-01", "2012-01-01T13:00:00Z", bad, "2012-01-03");
        }

        @Test
        void nonCanonicalDateSpellingsSurviveTurningCategorical() throws IOException {
            List<String> cells = List.of(
                    "2012-01-01",
                    " 2012-01-02 ",
                    "2012-01-01T13:00:00Z",
                    "2012-01-01t13:00:00z",
                    "2012-01-01T13:00:00.250+02:00",
                    "2012-01-01 13:00",
                    "2012-01-01T13:00:00",
                    "0001-01-01",
                    "oops");
            StringBuilder csv = new StringBuilder("t,k\n");
            cells.forEach(c -> csv.append(c).append(",k\n"));
            assertThat(values(parse(csv.toString()).categoricalColumn("t"))).containsExactlyElementsOf(cells);
        }

        @Test
        void numbersThenADateAreCategorical() throws IOException {
            assertThat(parse("t\n1\n2012-01-01\n").requireColumn("t").type()).isEqualTo(ColumnType.CATEGORICAL);
            assertThat(parse("t\n2012-01-01\n1\n").requireColumn("t").type()).isEqualTo(ColumnType.CATEGORICAL);
            assertThat(parse("t\n\nNA\n2012-01-01\n").requireColumn("t").type()).isEqualTo(ColumnType.DATE);
        }

        @Test
        void dateFactoryValidates() {
            DateColumn c = Column.date("t", new double[] {0, Double.NaN, 86_400}, false);
            assertThat(c.missing()).isEqualTo(1);
            assertThat(c.constant()).isFalse();
            assertThat(Column.date("t", new double[] {5, 5, Double.NaN}, true).constant())
                    .isTrue();
            assertThatThrownBy(() -> Column.date("t", new double[] {Double.POSITIVE_INFINITY}, false))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Column.date("t", new double[] {1e300}, false))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Delimiters {

        @ParameterizedTest
        @ValueSource(strings = {";", "\t", "|"})
        void detectedFromTheHeader(String sep) throws IOException {
            Dataset d = parse(String.join(sep, "a", "b", "c") + "\n" + String.join(sep, "1,5", "x", "2") + "\n");
            assertThat(d.columnNames()).containsExactly("a", "b", "c");
            assertThat(d.delimiter()).isEqualTo(sep.charAt(0));
            assertThat(d.levels("a")).containsExactly("1,5");
        }

        @Test
        void quotedCandidatesDoNotCountAndTiesAreComma() throws IOException {
            Dataset quoted = parse("\"a;b;c\",d\n1,2\n");
            assertThat(quoted.columnNames()).containsExactly("a;b;c", "d");
            assertThat(quoted.delimiter()).isEqualTo(',');
            assertThat(parse("a;b,c\n1;2,3\n").delimiter()).isEqualTo(',');
            assertThat(parse("a;b;c,d\n1;2;3,4\n").delimiter()).isEqualTo(';');
            assertThat(parse("single\n1\n").delimiter()).isEqualTo(',');
            assertThat(parse("\uFEFF\n\na|b\n1|2\n").delimiter()).isEqualTo('|');
        }

        @ParameterizedTest
        @ValueSource(strings = {";", "\t", "\\t", "tab", "TAB", "|", ","})
        void explicitDelimiterSpellings(String spelled) throws IOException {
            CsvOptions options = CsvOptions.defaults().withDelimiter(spelled, "delimiter");
            char d = options.delimiter().orElseThrow();
            Dataset parsed = parse("a" + d + "b\n1" + d + "2\n", options);
            assertThat(parsed.columnNames()).containsExactly("a", "b");
            assertThat(parsed.delimiter()).isEqualTo(d);
        }

        @Test
        void explicitDelimiterWinsOverDetection() throws IOException {
            CsvOptions options = CsvOptions.defaults().withDelimiter(";", "delimiter");
            Dataset d = parse("a;b,c;d\n1;2,5;3\n", options);
            assertThat(d.columnNames()).containsExactly("a", "b,c", "d");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", ":", ";;", "space", "\"", "\n"})
        void unknownDelimiterNamesTheField(String spelled) {
            Problem e = catchThrowableOfType(
                    Problem.class, () -> CsvOptions.defaults().withDelimiter(spelled, "delimiter"));
            assertThat(e.kind()).isEqualTo(Problem.Kind.MALFORMED);
            assertThat(e.violations()).extracting(Violation::field).containsExactly("delimiter");
            assertThat(e.detail()).contains("'" + spelled + "'");
        }

        @Test
        void explicitDelimiterLeavingOneColumnSuggestsTheDetectedOne() {
            CsvOptions options = CsvOptions.defaults().withDelimiter(";", "delimiter");
            Problem e = fail("a,b,c\n1,2,3\n", options);
            assertThat(e.kind()).isEqualTo(Problem.Kind.MALFORMED);
            assertThat(e.violations()).extracting(Violation::field).containsExactly("delimiter");
            assertThat(e.detail()).contains("single column", "delimiter=,");
        }

        @Test
        void aSingleColumnWithoutOtherCandidatesIsFine() throws IOException {
            CsvOptions options = CsvOptions.defaults().withDelimiter(";", "delimiter");
            assertThat(parse("\"a,b\"\n1\n", options).columnNames()).containsExactly("a,b");
            assertThat(parse("a\n1\n", options).rows()).isEqualTo(1);
        }

        @Test
        void aHeaderLongerThanTheLookAheadIsStillRead() throws IOException {
            StringBuilder header = new StringBuilder();
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < 20_000; i++) {
                header.append(i == 0 ? "" : ";").append("column").append(i);
                row.append(i == 0 ? "" : ";").append(i);
            }
            Dataset d = parse(header + "\n" + row + "\n");
            assertThat(d.columns()).hasSize(20_000);
            assertThat(d.numeric("column19999")).containsExactly(19_999);
        }
    }

    @Nested
    class Notes {

        @Test
        void constantAndAllMissingColumns() throws IOException {
            Dataset d = parse("n,c,t,e,v\n1,a,2012-01-01,,1\nNA,a,NA,NA,2\n1,,2012-01-01,,3\n");
            assertThat(d.requireColumn("n").constant()).isTrue();
            assertThat(d.requireColumn("c").constant()).isTrue();
            assertThat(d.requireColumn("t").constant()).isTrue();
            Column empty = d.requireColumn("e");
            assertThat(empty.constant()).isFalse();
            assertThat(empty.missing()).isEqualTo(empty.size());
            assertThat(d.requireColumn("v").constant()).isFalse();
        }

        @Test
        void unusedLevelsDoNotCount() {
            assertThat(Column.categorical("c", new int[] {1, -1, 1}, List.of("a", "b"))
                            .constant())
                    .isTrue();
        }
    }

    @Nested
    class Cars {

        @Test
        void theRealWorldFileParses() throws IOException {
            Dataset d;
            try (InputStream in = CsvIngestRulesTest.class.getResourceAsStream("/data/cars.csv")) {
                assertThat(in).isNotNull();
                d = PARSER.parse(in, StandardCharsets.UTF_8, "cars");
            }
            assertThat(d.rows()).isEqualTo(406);
            assertThat(d.delimiter()).isEqualTo(',');
            DateColumn year = d.dateColumn("Year");
            assertThat(year.hasTime()).isFalse();
            assertThat(year.format(year.min())).isEqualTo("1970-01-01");
            assertThat(year.format(year.max())).isEqualTo("1982-01-01");
            assertThat(d.numericColumn("Horsepower").missing()).isEqualTo(6);
            assertThat(d.numericColumn("Miles_per_Gallon").missing()).isEqualTo(8);
            assertThat(d.requireColumn("Name").type()).isEqualTo(ColumnType.CATEGORICAL);
            assertThat(d.levels("Origin")).containsExactly("Europe", "Japan", "USA");
            assertThat(d.missing("Origin")).isZero();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static Dataset parse(String csv) throws IOException {
        return parse(csv, CsvOptions.defaults());
    }

    private static Dataset parse(String csv, CsvOptions options) throws IOException {
        return PARSER.parse(new StringReader(csv), "test", options);
    }

    private static Problem fail(String csv, CsvOptions options) {
        Problem e = catchThrowableOfType(Problem.class, () -> parse(csv, options));
        assertThat(e).as("expected a Problem").isNotNull();
        return e;
    }

    private static List<String> values(CategoricalColumn c) {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < c.size(); i++) {
            out.add(c.value(i));
        }
        return out;
    }

    private static int sameDouble(Double a, Double b) {
        return Double.compare(a, b);
    }
}
