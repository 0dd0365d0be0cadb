package dev.bnserve.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document's identity: title, the build's version (from {@code build-info.properties}), licence, and the
 * optional API key as a {@code bearerAuth} scheme.
 *
 * <p>Model documents are passed through as JSON trees (their layout is the versioned model format, see the README);
 * documented as plain JSON objects instead of springdoc introspecting Jackson's node classes as beans.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {
    static final String BEARER = "bearerAuth";

    static {
        SpringDocUtils.getConfig()
                .replaceWithSchema(JsonNode.class, new ObjectSchema())
                .replaceWithSchema(ObjectNode.class, new ObjectSchema());
    }

    @Bean
    OpenAPI bnserveOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties b = build.getIfAvailable();
        String version = b != null ? b.getVersion() : "development";
        return new OpenAPI()
                .info(new Info()
                        .title("bnserve")
                        .version(version)
                        .description("Train batch-normalized neural networks on uploaded CSV data and serve predictions"
                                + " from their stored running statistics.")
                        .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
                .components(new Components()
                        .addSecuritySchemes(
                                BEARER,
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .description("The API key (bnserve.security.api-key), when one is set.")))
                .servers(List.of(new Server().url("/").description("This service (the document is served by it)")))
                .addSecurityItem(new SecurityRequirement().addList(BEARER));
    }

    /** The operations and schemas springdoc cannot see (see {@link ApiOperations}). */
    @Bean
    OpenApiCustomizer bnserveOperations() {
        return ApiOperations::customize;
    }
}
