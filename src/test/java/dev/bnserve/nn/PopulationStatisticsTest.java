package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link PopulationStatistics}: measured against a plain two-pass computation, recalibrated against the network's. */
class PopulationStatisticsTest {
    /** |measured − two-pass| ≤ TWO_PASS_TOL·(1 + |two-pass|). */
    static final double TWO_PASS_TOL = 1e-12;

    /** 2500 rows: three chunks of up to 1024, the last one partial. */
    static final int ROWS = 2500;

    static List<NetworkSpec> specs() {
        List<NetworkSpec> specs = new ArrayList<>(InvariantsTest.layouts());
        specs.add(NetworkSpecTest.mixed(4, 3));
        return specs;
    }

    /** Every BN layer's input for every row (the model as it is), then mean and Σ(h − mean)²/(N − 1). */
    static List<double[][]> twoPass(int inputs, List<LayerState> layers, double[] x, int rows, int[] rowIndex) {
        List<double[]> inputsOf = new ArrayList<>();
        List<double[][]> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int row = rowIndex == null ? r : rowIndex[r];
            Trace t = Trace.of(inputs, layers, Arrays.copyOfRange(x, row * inputs, (row + 1) * inputs));
            int k = 0;
            for (Trace.Step s : t.steps()) {
                if (s.kind() != LayerKind.BATCHNORM) continue;
                if (r == 0) inputsOf.add(new double[rows * s.input().length]);
                double[] h = s.input();
                System.arraycopy(h, 0, inputsOf.get(k++), r * h.length, h.length);
            }
        }
        for (double[] all : inputsOf) {
            int d = all.length / rows;
            double[] mean = new double[d], var = new double[d];
            for (int j = 0; j < d; j++) {
                double sum = 0;
                for (int r = 0; r < rows; r++) sum += all[r * d + j];
                mean[j] = sum / rows;
                double ss = 0;
                for (int r = 0; r < rows; r++) {
                    double e = all[r * d + j] - mean[j];
                    ss += e * e;
                }
                var[j] = ss / (rows - 1);
            }
            out.add(new double[][] {mean, var});
        }
        return out;
    }

    @Test
    void measureEqualsAStraightforwardTwoPassComputation() {
        for (NetworkSpec spec : specs()) {
            Network net = InvariantsTest.trained(spec, 13);
            List<LayerState> layers = net.state();
            int d = spec.inputs();
            double[] x = InvariantsTest.randomRows(new SplittableRandom(5), ROWS, d);
            int[] subset = new int[1500];
            SplittableRandom rng = new SplittableRandom(6);
            for (int i = 0; i < subset.length; i++) subset[i] = rng.nextInt(ROWS);
            for (int[] rowIndex : new int[][] {null, subset}) {
                int rows = rowIndex == null ? ROWS : rowIndex.length;
                List<PopulationStatistics.Moments> measured =
                        PopulationStatistics.measure(d, layers, x, rows, rowIndex);
                List<double[][]> expected = twoPass(d, layers, x, rows, rowIndex);
                long bns = layers.stream()
                        .filter(l -> l.kind() == LayerKind.BATCHNORM)
                        .count();
                assertThat(measured).hasSize((int) bns).hasSameSizeAs(expected);
                for (int k = 0; k < measured.size(); k++) {
                    PopulationStatistics.Moments m = measured.get(k);
                    assertThat(layers.get(m.layer()).kind()).isEqualTo(LayerKind.BATCHNORM);
                    close(spec + " layer " + m.layer() + " mean", m.mean(), expected.get(k)[0]);
                    close(spec + " layer " + m.layer() + " var", m.var(), expected.get(k)[1]);
                }
                assertThat(layers).as("measuring changes nothing").isEqualTo(net.state());
            }
        }
    }

    @Test
    void recalibrateIsTheNetworksPopulationStatisticsBitForBit() {
        for (NetworkSpec spec : specs()) {
            Network net = InvariantsTest.trained(spec, 17);
            List<LayerState> layers = net.state();
            List<LayerState> before = List.copyOf(net.state());
            int d = spec.inputs();
            double[] x = InvariantsTest.randomRows(new SplittableRandom(3), ROWS, d);
            int[] subset = new int[1100];
            for (int i = 0; i < subset.length; i++) subset[i] = (i * 7) % ROWS;
            for (int[] rowIndex : new int[][] {null, subset}) {
                int rows = rowIndex == null ? ROWS : rowIndex.length;
                List<LayerState> recalibrated = PopulationStatistics.recalibrate(d, layers, x, rows, rowIndex);
                Network reference = Network.fromState(d, layers);
                reference.recomputePopulationStatistics(x, rowIndex, rows);
                assertThat(recalibrated).isEqualTo(reference.state());
                assertThat(layers).as("the input list is untouched").isEqualTo(before);
                for (int i = 0; i < layers.size(); i++) {
                    if (layers.get(i) instanceof LayerState.BatchNorm old) {
                        LayerState.BatchNorm now = (LayerState.BatchNorm) recalibrated.get(i);
                        assertThat(now.batchesTracked()).isEqualTo(old.batchesTracked());
                        assertThat(now.gamma()).isEqualTo(old.gamma());
                        assertThat(now.beta()).isEqualTo(old.beta());
                    } else {
                        assertThat(recalibrated.get(i)).isEqualTo(layers.get(i));
                    }
                }
                // with every statistic already the population's, measuring finds exactly the stored ones
                List<PopulationStatistics.Moments> measured =
                        PopulationStatistics.measure(d, recalibrated, x, rows, rowIndex);
                for (PopulationStatistics.Moments m : measured) {
                    LayerState.BatchNorm bn = (LayerState.BatchNorm) recalibrated.get(m.layer());
                    assertThat(m.mean()).isEqualTo(bn.runningMean());
                    assertThat(m.var()).isEqualTo(bn.runningVar());
                }
            }
        }
    }

    @Test
    void fewerThanTwoRowsOrRowsOutsideXAreRejected() {
        NetworkSpec spec = NetworkSpecTest.mixed(4, 3);
        List<LayerState> layers = Network.initialize(spec, 1).state();
        double[] x = InvariantsTest.randomRows(new SplittableRandom(1), 10, 4);
        assertThatThrownBy(() -> PopulationStatistics.measure(4, layers, x, 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 rows");
        assertThatThrownBy(() -> PopulationStatistics.recalibrate(4, layers, x, 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 2 rows");
        assertThatThrownBy(() -> PopulationStatistics.measure(4, layers, x, 1, new int[] {3}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PopulationStatistics.measure(4, layers, x, 11, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PopulationStatistics.recalibrate(4, layers, x, 2, new int[] {0, 10}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rowIndex[1]");
    }

    static void close(String what, double[] actual, double[] expected) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(TWO_PASS_TOL * (1 + Math.abs(expected[i])));
        }
    }
}
