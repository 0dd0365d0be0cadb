package dev.bnserve.web;

import io.swagger.v3.oas.models.media.ObjectSchema;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Model documents are passed through as JSON trees (their layout is the versioned model format, see the README);
 * documented as plain JSON objects instead of springdoc introspecting Jackson's node classes as beans.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    static {
        SpringDocUtils.getConfig()
                .replaceWithSchema(JsonNode.class, new ObjectSchema())
                .replaceWithSchema(ObjectNode.class, new ObjectSchema());
    }
}
