package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The core tests' CSV loader reads the shipped data sets as they are, and refuses what it cannot read. */
class TestDataTest {

    @Test
    void readsIrisAsFeaturesAndSortedClasses() {
        TrainingData iris = TestData.classification("/data/iris.csv", "species");
        assertThat(iris.rows()).isEqualTo(150);
        assertThat(iris.features()).isEqualTo(4);
        assertThat(iris.classes()).isEqualTo(3);
        assertThat(Arrays.copyOf(iris.x(), 4)).containsExactly(5.1, 3.5, 1.4, 0.2);
        int[] perClass = new int[3];
        for (int y : iris.labels()) perClass[y]++;
        assertThat(perClass).containsExactly(50, 50, 50);
    }

    @Test
    void refusesAnUnknownLabelOrResource() {
        assertThatThrownBy(() -> TestData.classification("/data/iris.csv", "nope"))
                .hasMessageContaining("no column 'nope'");
        assertThatThrownBy(() -> TestData.classification("/data/none.csv", "x"))
                .hasMessageContaining("no test resource");
    }
}
