package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.bnserve.model.ModelFormatException;
import dev.bnserve.model.ModelJson;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** Parse errors as clients see them: Jackson's real messages, without its features, methods or classes. */
class JsonErrorsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** The message a real parse of {@code body} fails with. */
    static String jacksonMessage(String body) {
        return catchThrowableOfType(JacksonException.class, () -> JSON.readTree(body))
                .getOriginalMessage();
    }

    static void assertNoInternals(String text) {
        assertThat(text)
                .doesNotContain("StreamReadConstraints", "getMaxNestingDepth", "ALLOW_COMMENTS", "Feature", "`")
                .doesNotContain("Node", "asString", "tools.jackson");
    }

    @Test
    void nestingTooDeepKeepsTheFiguresNotTheMethod() {
        String raw = jacksonMessage("[".repeat(1200) + "]".repeat(1200));
        assertThat(raw).contains("StreamReadConstraints"); // what the service used to pass on
        String shown = JsonErrors.readable(raw);
        assertNoInternals(shown);
        assertThat(shown).contains("nesting depth", "maximum allowed (500)");
    }

    @Test
    void aCommentIsUnexpectedWithoutNamingTheParserFeature() {
        String raw = jacksonMessage("{/* note */ \"features\": [1]}");
        assertThat(raw).contains("ALLOW_COMMENTS");
        String shown = JsonErrors.readable(raw);
        assertNoInternals(shown);
        assertThat(shown).contains("Unexpected character ('/'");
    }

    @Test
    void importedDocumentsNameTheFieldNotTheNodeClass() {
        ModelJson json = new ModelJson(JSON, ModelJson.Limits.defaults());
        ModelFormatException wrongType = catchThrowableOfType(
                ModelFormatException.class,
                () -> json.read(
                        "{\"status\": \"queued\", \"created\": {}, \"task\": \"regression\", \"inputs\": [\"a\"], \"layers\": null}"));
        assertThat(wrongType.field()).isEqualTo("created");
        assertNoInternals(wrongType.getMessage());
        ModelFormatException comment = catchThrowableOfType(ModelFormatException.class, () -> json.read("{/* x */}"));
        assertThat(comment.field()).isEqualTo("$");
        assertThat(comment.getMessage()).contains("not valid JSON at line 1, column");
        assertNoInternals(comment.getMessage());
    }
}
