package dev.bnserve.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What preprocessing learns comes from the training rows alone, and a row encodes the same alone or in a matrix. */
class PreprocessorTest {
    static final Settings DEFAULTS = new Settings(Settings.Missing.IMPUTE, true, 50, Settings.UnknownCategory.IGNORE);
    static final double NA = Double.NaN;

    @Test
    void imputationIsTheTrainingSplitsMeanExactly() {
        double[] v = {1.5, NA, 4.25, 1e6, 7.0, NA};
        int[] train = {0, 1, 2, 4}; // row 3 (1e6) and 5 are validation
        Preprocessor p = Preprocessor.fit(List.of(new InputColumn.Numeric("x", v)), train, DEFAULTS);
        ColumnEncoding.Numeric x = (ColumnEncoding.Numeric) p.columns().get(0);
        assertThat(x.impute()).isEqualTo((1.5 + 4.25 + 7.0) / 3);
        assertThat(x.indicator()).isTrue();
        assertThat(p.encodedInputs()).containsExactly("x", "x:missing");
        double[] out = p.encodeAll(List.of(new InputColumn.Numeric("x", v)));
        assertThat(out).containsExactly(1.5, 0, x.impute(), 1, 4.25, 0, 1e6, 0, 7.0, 0, x.impute(), 1);
    }

    @Test
    void noIndicatorWhenTheTrainingSplitHasNoMissingValueOrIndicatorsAreOff() {
        double[] v = {1, 2, NA};
        assertThat(Preprocessor.fit(List.of(new InputColumn.Numeric("x", v)), new int[] {0, 1}, DEFAULTS)
                        .encodedInputs())
                .containsExactly("x");
        Settings off = new Settings(Settings.Missing.IMPUTE, false, 50, Settings.UnknownCategory.IGNORE);
        assertThat(Preprocessor.fit(List.of(new InputColumn.Numeric("x", v)), new int[] {0, 1, 2}, off)
                        .encodedInputs())
                .containsExactly("x");
    }

    @Test
    void oneHotLevelsComeFromTheTrainingSplitOnly() {
        // levels in the dataset: a, b, c; 'c' occurs only in row 3, a validation row
        InputColumn.Categorical c =
                new InputColumn.Categorical("k", new int[] {0, 1, 0, 2, -1}, List.of("a", "b", "c"));
        Preprocessor p = Preprocessor.fit(List.of(c), new int[] {0, 1, 2, 4}, DEFAULTS);
        assertThat(p.encodedInputs()).containsExactly("k=a", "k=b", "k:missing");
        double[] out = p.encodeAll(List.of(c));
        assertThat(out)
                .containsExactly(
                        1, 0, 0, // a
                        0, 1, 0, // b
                        1, 0, 0, // a
                        0, 0, 0, // c: unknown to the training split
                        0, 0, 1); // missing
    }

    @Test
    void constantColumnsStayInputsButAreNotEncoded() {
        InputColumn.Numeric same = new InputColumn.Numeric("one", new double[] {1, 1, 1, 5});
        InputColumn.Numeric x = new InputColumn.Numeric("x", new double[] {1, 2, 3, 4});
        Preprocessor p = Preprocessor.fit(List.of(same, x), new int[] {0, 1, 2}, DEFAULTS);
        assertThat(p.inputs()).containsExactly("one", "x");
        assertThat(p.columns().get(0)).isInstanceOf(ColumnEncoding.Constant.class);
        assertThat(p.encodedInputs()).containsExactly("x");
        assertThat(p.encodeAll(List.of(same, x))).containsExactly(1, 2, 3, 4);
    }

    @Test
    void datesBecomeTheirDocumentedParts() {
        double t = IsoDates.parse("2021-03-03"); // a Wednesday
        InputColumn.Date d = new InputColumn.Date("when", new double[] {t, IsoDates.parse("1970-01-01")}, false);
        Preprocessor p = Preprocessor.fit(List.of(d), new int[] {0, 1}, DEFAULTS);
        assertThat(p.encodedInputs())
                .containsExactly(
                        "when:year", "when:month_sin", "when:month_cos", "when:weekday_sin", "when:weekday_cos");
        double[] out = p.encodeAll(List.of(d));
        assertThat(out[0]).isEqualTo(2021 + 61.0 / 365);
        assertThat(out[1]).isEqualTo(Math.sin(2 * Math.PI * 2 / 12));
        assertThat(out[2]).isEqualTo(Math.cos(2 * Math.PI * 2 / 12));
        assertThat(out[3]).isEqualTo(Math.sin(2 * Math.PI * 2 / 7));
        assertThat(out[5]).isEqualTo(1970);
    }

    @Test
    void datePartsThatAreConstantOverTheTrainingSplitAreLeftOut() {
        double[] years = {IsoDates.parse("1970-01-01"), IsoDates.parse("1971-01-01"), IsoDates.parse("1972-01-01")};
        Preprocessor p =
                Preprocessor.fit(List.of(new InputColumn.Date("y", years, false)), new int[] {0, 1, 2}, DEFAULTS);
        assertThat(p.encodedInputs()).containsExactly("y:year", "y:weekday_sin", "y:weekday_cos");
        double[] june = new double[p.width()];
        p.encode(new double[] {IsoDates.parse("1971-06-01")}, june, 0);
        assertThat(june[0]).isBetween(1971.4, 1971.5); // the month still moves the continuous year
    }

    @Test
    void isoDatesAndDateTimes() {
        assertThat(IsoDates.parse("1970-01-02")).isEqualTo(86400);
        assertThat(IsoDates.parse("1970-01-01T01:00:00Z")).isEqualTo(3600);
        assertThat(IsoDates.parse("1970-01-01T03:00:00+02:00")).isEqualTo(3600);
        assertThat(IsoDates.parse("1970-01-01T00:00:00.5")).isEqualTo(0.5);
        assertThat(IsoDates.parse("1970-13-01")).isNaN();
        assertThat(IsoDates.parse("chevrolet")).isNaN();
    }

    @Test
    void aRowEncodesToTheSameBitsAloneAsInTheMatrix() {
        InputColumn.Numeric x = new InputColumn.Numeric("x", new double[] {0.1, NA, 0.3});
        InputColumn.Categorical k = new InputColumn.Categorical("k", new int[] {1, 0, -1}, List.of("u", "v"));
        Preprocessor p = Preprocessor.fit(List.of(x, k), new int[] {0, 1, 2}, DEFAULTS);
        double[] all = p.encodeAll(List.of(x, k));
        double[] row = new double[p.width()];
        p.encode(new double[] {NA, 0}, row, 0); // row 1: x missing, k = u (index 0)
        for (int j = 0; j < p.width(); j++) assertThat(row[j]).isEqualTo(all[p.width() + j]);
    }
}
