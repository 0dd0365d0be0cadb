package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bnserve.problem.Problem;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The training request's JSON: defaults from {@link TrainingSpec#DEFAULTS}, round trips, and the README's copy. */
class TrainingSpecJsonTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    static JsonNode tree(TrainingSpec s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            TrainingSpecJson.write(g, s);
        }
        return JSON.readTree(out.toByteArray());
    }

    @Test
    void absentFieldsTakeTheDefaults() {
        TrainingSpec read = TrainingSpecJson.read(JSON.readTree("{\"dataset\": \"d-1\", \"label\": \"y\"}"));
        assertThat(read)
                .isEqualTo(TrainingSpec.DEFAULTS.resolved("d-1", null, null).withLabel("y"));
    }

    @Test
    void aWrittenSpecReadsBackEqual() {
        TrainingSpec spec = TestModels.awkward("m-00000000000000000000000000").request();
        assertThat(TrainingSpecJson.read(tree(spec))).isEqualTo(spec);
    }

    @Test
    void momentumNullIsTheCumulativeAverageAndAbsentIsTheDefault() {
        TrainingSpec cumulative = TrainingSpecJson.read(
                JSON.readTree("{\"dataset\": \"d\", \"label\": \"y\", \"batchNorm\": {\"momentum\": null}}"));
        assertThat(cumulative.batchNorm().momentum()).isNull();
        assertThat(TrainingSpecJson.read(JSON.readTree("{\"dataset\": \"d\", \"label\": \"y\", \"batchNorm\": {}}"))
                        .batchNorm()
                        .momentum())
                .isEqualTo(TrainingSpec.DEFAULTS.batchNorm().momentum());
    }

    @Test
    void typeErrorsAre400sAndUnknownNamesAre422s() {
        Problem types = catchThrowableOfType(
                Problem.class,
                () -> TrainingSpecJson.read(JSON.readTree(
                        "{\"dataset\": \"d\", \"label\": \"y\", \"epochs\": 1.5, \"hidden\": [\"wide\"]}")));
        assertThat(types.kind()).isEqualTo(Problem.Kind.MALFORMED);
        assertThat(types.violations()).extracting(v -> v.field()).containsExactly("hidden[0]", "epochs");
        Problem names = catchThrowableOfType(
                Problem.class,
                () -> TrainingSpecJson.read(JSON.readTree(
                        "{\"dataset\": \"d\", \"label\": \"y\", \"activation\": \"gelu\", \"learningRate\": 1}")));
        assertThat(names.kind()).isEqualTo(Problem.Kind.INVALID);
        assertThat(names.violations()).extracting(v -> v.field()).containsExactly("learningRate", "activation");
    }

    /** The README spells the defaults out; it must say what the service does. */
    @Test
    void theReadmeShowsTheDefaults() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("A full training request with every default spelled out:");
        assertThat(at).as("the README's defaults section").isPositive();
        int start = readme.indexOf("```json", at) + "```json".length();
        ObjectNode documented = (ObjectNode) JSON.readTree(readme.substring(start, readme.indexOf("```", start)));
        ObjectNode actual = (ObjectNode) tree(TrainingSpec.DEFAULTS
                .resolved(
                        documented.get("dataset").asString(),
                        JSON.convertValue(documented.get("features"), List.class),
                        Task.parse(documented.get("task").asString()))
                .withLabel(documented.get("label").asString()));
        assertThat(documented).isEqualTo(actual);
    }
}
