package dev.bnserve.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replays PyTorch 1.13's computations (fixtures written by {@code make_parity.py}, float64) and
 * requires the core to reproduce every intermediate result. The fixture folder defaults to the
 * copy in the test resources; {@code -Dparity.fixtures=DIR} points the test at another one.
 */
class TorchParityTest {
    /** |a − b| ≤ TOL·(1 + |b|): Adam amplifies round-off in gradients that are exactly zero in exact arithmetic. */
    static final double TOL = 1e-6;

    @TestFactory
    Stream<DynamicTest> everyFixture() throws IOException, URISyntaxException {
        String dir = System.getProperty("parity.fixtures");
        Path folder = dir != null && !dir.isBlank()
                ? Path.of(dir)
                : Path.of(getClass().getResource("/torch-parity").toURI());
        assertThat(folder).as("parity fixture folder").isDirectory();
        List<Path> files;
        try (Stream<Path> s = Files.list(folder)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("*.json fixtures in " + folder).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> replay(f)));
    }

    private void replay(Path file) throws IOException {
        JsonNode fx = JsonMapper.builder().build().readTree(file.toFile());
        int inputs = fx.get("inputs").intValue();
        JsonNode layers = fx.get("layers");
        List<LayerState> initial = states(inputs, layers, fx.get("initial_state"));
        Network net = Network.fromState(inputs, initial);
        Loss loss = fx.get("loss").stringValue().equals("mse") ? Loss.MSE : Loss.CROSS_ENTROPY;
        Optimizer opt = optimizer(fx.get("optimizer")).create(net.params());
        int k = net.outputs();

        JsonNode batches = fx.get("batches");
        JsonNode steps = fx.get("steps");
        List<double[]> allRows = new ArrayList<>();
        for (int s = 0; s < batches.size(); s++) {
            JsonNode b = batches.get(s);
            double[] x = flat(b.get("x"));
            int n = b.get("x").size();
            for (int r = 0; r < n; r++) allRows.add(java.util.Arrays.copyOfRange(x, r * inputs, (r + 1) * inputs));
            int[] labels = null;
            double[] targets = null;
            if (loss == Loss.CROSS_ENTROPY) {
                labels = new int[n];
                for (int r = 0; r < n; r++) labels[r] = b.get("y").get(r).intValue();
            } else {
                targets = flat(b.get("y"));
            }
            JsonNode step = steps.get(s);
            String at = "step " + s;
            double value = net.forwardBackward(x, n, loss, labels, targets);
            close(at + " loss", new double[] {value}, new double[] {
                step.get("loss").doubleValue()
            });
            close(
                    at + " train output",
                    java.util.Arrays.copyOf(net.lastOutput(), n * k),
                    flat(step.get("train_output")));
            if (step.has("gradients")) {
                JsonNode g = step.get("gradients");
                for (int i = 0; i < net.layerCount(); i++) {
                    for (Param p : net.params(i)) {
                        close(
                                at + " gradient of layer " + i + " " + p.name(),
                                p.grad(),
                                flat(g.get(i).get(p.name())));
                    }
                }
            }
            opt.step();
            assertState(at, net.state(), states(inputs, layers, step.get("state")));
        }

        JsonNode eval = fx.get("eval");
        double[] ex = flat(eval.get("x"));
        int en = eval.get("x").size();
        double[] expected = flat(eval.get("output"));
        List<LayerState> before = net.state();
        double[] batched = new double[en * k];
        net.forwardEval(ex, en, batched);
        close("eval output, batched", batched, expected);
        InferencePlan plan = InferencePlan.compile(inputs, net.state());
        double[] planned = new double[en * k];
        plan.predictBatch(ex, en, planned);
        close("eval output, folded plan", planned, expected);
        double[] single = flat(eval.get("single_output"));
        for (int r = 0; r < en; r++) {
            double[] row = java.util.Arrays.copyOfRange(ex, r * inputs, (r + 1) * inputs);
            double[] one = new double[k];
            net.forwardEval(row, 1, one);
            close("eval row " + r + " alone", one, java.util.Arrays.copyOfRange(single, r * k, (r + 1) * k));
            close(
                    "plan row " + r + " alone",
                    plan.predict(row),
                    java.util.Arrays.copyOfRange(single, r * k, (r + 1) * k));
        }
        assertThat(net.state()).as("eval mode leaves the network unchanged").isEqualTo(before);

        if (fx.has("population")) {
            JsonNode pop = fx.get("population");
            double[] all = new double[allRows.size() * inputs];
            for (int r = 0; r < allRows.size(); r++) System.arraycopy(allRows.get(r), 0, all, r * inputs, inputs);
            List<LayerState> recalibrated =
                    PopulationStatistics.recalibrate(inputs, net.state(), all, allRows.size(), null);
            net.recomputePopulationStatistics(all, allRows.size());
            assertState("population", net.state(), states(inputs, layers, pop.get("state")));
            assertThat(recalibrated).as("PopulationStatistics.recalibrate").isEqualTo(net.state());
            double[] popOut = new double[en * k];
            net.forwardEval(ex, en, popOut);
            close("population eval output", popOut, flat(pop.get("eval_output")));
        }
    }

    private static void assertState(String at, List<LayerState> actual, List<LayerState> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.size(); i++) {
            String where = at + " layer " + i;
            if (expected.get(i) instanceof LayerState.Linear e && actual.get(i) instanceof LayerState.Linear a) {
                close(where + " weight", a.weight(), e.weight());
                close(where + " bias", a.bias(), e.bias());
            } else if (expected.get(i) instanceof LayerState.BatchNorm e
                    && actual.get(i) instanceof LayerState.BatchNorm a) {
                close(where + " gamma", a.gamma(), e.gamma());
                close(where + " beta", a.beta(), e.beta());
                close(where + " running mean", a.runningMean(), e.runningMean());
                close(where + " running var", a.runningVar(), e.runningVar());
                assertThat(a.batchesTracked()).as(where + " batches tracked").isEqualTo(e.batchesTracked());
            } else {
                assertThat(actual.get(i).getClass())
                        .as(where)
                        .isEqualTo(expected.get(i).getClass());
            }
        }
    }

    static void close(String what, double[] actual, double[] expected) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i], e = expected[i];
            if (!(Math.abs(a - e) <= TOL * (1 + Math.abs(e)))) {
                fail(
                        "%s[%d]: expected %s but was %s (|diff| %.3g > %.3g)",
                        what, i, e, a, Math.abs(a - e), TOL * (1 + Math.abs(e)));
            }
        }
    }

    static OptimizerConfig optimizer(JsonNode o) {
        double lr = o.get("lr").doubleValue();
        double wd = o.path("weight_decay").asDouble(0.0);
        if (o.get("type").stringValue().equals("sgd")) {
            return new OptimizerConfig(
                    OptimizerConfig.Type.SGD, lr, o.path("momentum").asDouble(0.0), 0.999, 1e-8, wd);
        }
        JsonNode betas = o.path("betas");
        double b1 = betas.isArray() ? betas.get(0).doubleValue() : 0.9;
        double b2 = betas.isArray() ? betas.get(1).doubleValue() : 0.999;
        return new OptimizerConfig(
                OptimizerConfig.Type.ADAM, lr, b1, b2, o.path("eps").asDouble(1e-8), wd);
    }

    /** Rebuilds the layer states of a fixture from its layer specs and a state list. */
    static List<LayerState> states(int inputs, JsonNode layers, JsonNode state) {
        List<LayerState> out = new ArrayList<>();
        int d = inputs;
        for (int i = 0; i < layers.size(); i++) {
            JsonNode spec = layers.get(i);
            JsonNode st = state.get(i);
            switch (spec.get("type").stringValue()) {
                case "linear" -> {
                    int o = spec.get("out").intValue();
                    out.add(new LayerState.Linear(d, o, flat(st.get("weight")), flat(st.get("bias"))));
                    d = o;
                }
                case "batchnorm" -> {
                    JsonNode m = spec.get("momentum");
                    out.add(new LayerState.BatchNorm(
                            d,
                            m == null || m.isNull() ? null : m.doubleValue(),
                            spec.get("eps").doubleValue(),
                            flat(st.get("gamma")),
                            flat(st.get("beta")),
                            flat(st.get("running_mean")),
                            flat(st.get("running_var")),
                            st.get("num_batches_tracked").longValue()));
                }
                case "relu" -> out.add(new LayerState.Relu(d));
                case "tanh" -> out.add(new LayerState.Tanh(d));
                default -> throw new IllegalArgumentException("unknown layer type in fixture: " + spec);
            }
        }
        return out;
    }

    /** Flattens a number or a (nested) array of numbers, row-major. */
    static double[] flat(JsonNode node) {
        List<Double> values = new ArrayList<>();
        collect(node, values);
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private static void collect(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            for (JsonNode c : node.values()) collect(c, out);
        } else {
            out.add(node.doubleValue());
        }
    }
}
