package dev.bnserve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code spring-boot-configuration-processor} documents every {@code bnserve.*} setting for IDEs: the build writes
 * {@code META-INF/spring-configuration-metadata.json} with each property's type, description (from the Javadoc of
 * {@link BnserveProperties}) and default. Held here: every leaf of the record tree is listed, with a description
 * that reads as text (no Javadoc markup) and, where the record has one, its default.
 */
class ConfigurationMetadataTest {

    @Test
    void everyBnservePropertyIsDescribed() throws Exception {
        JsonNode metadata = null;
        for (URL url : Collections.list(
                getClass().getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
            try (InputStream in = url.openStream()) {
                JsonNode doc = JsonMapper.builder().build().readTree(in);
                for (JsonNode g : doc.path("groups")) {
                    if (g.get("name").asString().equals("bnserve")) metadata = doc;
                }
            }
        }
        assertThat(metadata).as("the build's own metadata is on the classpath").isNotNull();
        Map<String, JsonNode> properties = new TreeMap<>();
        for (JsonNode p : metadata.path("properties")) {
            if (p.get("name").asString().startsWith("bnserve."))
                properties.put(p.get("name").asString(), p);
        }
        List<String> expected = new ArrayList<>();
        leaves("bnserve", BnserveProperties.class, expected);
        assertThat(properties.keySet()).containsExactlyInAnyOrderElementsOf(expected);
        properties.forEach((name, p) -> {
            String description = p.path("description").asString("");
            assertThat(description).as(name + " has a description").isNotBlank();
            assertThat(description).as(name + " without Javadoc markup").doesNotContain("{@");
        });
        assertThat(properties.get("bnserve.limits.max-rows").get("defaultValue").asLong())
                .isEqualTo(BnserveProperties.defaults().limits().maxRows());
        assertThat(properties.get("bnserve.data-dir").get("defaultValue").asString())
                .isEqualTo("./data");
    }

    /** The kebab-case names of every non-record component below {@code prefix}. */
    private static void leaves(String prefix, Class<?> type, List<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name =
                    prefix + "." + c.getName().replaceAll("([A-Z])", "-$1").toLowerCase();
            if (c.getType().isRecord()) leaves(name, c.getType(), out);
            else out.add(name);
        }
    }
}
