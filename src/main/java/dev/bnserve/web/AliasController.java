package dev.bnserve.web;

import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelProblems;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelRef;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Aliases of named models: {@code PUT /aliases/{name}/{alias}} with {@code {"version": 3}} or {@code {"model": "…"}}
 * points one (atomically: a prediction in flight sees the old or the new model), {@code GET /aliases/{name}[/{alias}]}
 * reads them, {@code DELETE /aliases/{name}/{alias}} removes one.
 */
@RestController
@RequestMapping("/aliases")
class AliasController {
    private final ModelCatalog catalog;

    AliasController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /** An alias and the model it points to. */
    record AliasView(String name, String alias, String model, Integer version) {
        static AliasView of(String name, String alias, ModelRecord m, String id) {
            return new AliasView(name, alias, id, m == null ? null : m.version());
        }
    }

    @PutMapping(path = "/{name}/{alias}", consumes = MediaType.APPLICATION_JSON_VALUE)
    AliasView put(@PathVariable String name, @PathVariable String alias, @RequestBody JsonNode body) {
        if (body == null || !body.isObject()) throw malformed();
        JsonNode version = body.get("version");
        JsonNode model = body.get("model");
        List<String> unknown = body.propertyNames().stream()
                .filter(f -> !f.equals("version") && !f.equals("model"))
                .toList();
        if (!unknown.isEmpty()) {
            throw Problem.invalid(
                    "invalid-alias",
                    "Invalid alias",
                    "Unknown field '" + Problem.shown(unknown.get(0))
                            + "'; send {\"version\": 3} or {\"model\": \"…\"}.",
                    unknown.stream()
                            .limit(20)
                            .map(f -> Violation.field(f, "unknown field"))
                            .toList());
        }
        if ((version == null) == (model == null)) throw malformed();
        String target;
        String field;
        if (version != null) {
            if (!version.isIntegralNumber() || version.asLong(0) < 1 || version.asLong(0) > Integer.MAX_VALUE) {
                throw Problem.malformed(
                        "'version' must be a positive integer.", Violation.field("version", "positive integer"));
            }
            target = name + "@" + version.asInt();
            field = "version";
        } else {
            if (!model.isString()) {
                throw Problem.malformed(
                        "'model' must be a model id or reference string.", Violation.field("model", "string"));
            }
            target = model.stringValue();
            field = "model";
        }
        ModelRecord m = catalog.putAlias(name, alias, target, field);
        return AliasView.of(name, alias, m, m.id());
    }

    /** The aliases of {@code name}: alias → {@code {model, version}}. */
    @GetMapping("/{name}")
    Map<String, Object> list(@PathVariable String name) {
        checkName(name);
        Map<String, AliasView> aliases = new LinkedHashMap<>();
        new TreeMap<>(catalog.names().aliases(name))
                .forEach((alias, id) -> aliases.put(
                        alias,
                        AliasView.of(name, alias, catalog.models().get(id).orElse(null), id)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("aliases", aliases);
        return body;
    }

    @GetMapping("/{name}/{alias}")
    AliasView get(@PathVariable String name, @PathVariable String alias) {
        checkName(name);
        String id = catalog.names().aliases(name).get(alias);
        if (id == null) throw noAlias(name, alias);
        return AliasView.of(name, alias, catalog.models().get(id).orElse(null), id);
    }

    @DeleteMapping("/{name}/{alias}")
    ResponseEntity<Void> delete(@PathVariable String name, @PathVariable String alias) {
        checkName(name);
        if (!catalog.deleteAlias(name, alias)) throw noAlias(name, alias);
        return ResponseEntity.noContent().build();
    }

    private static void checkName(String name) {
        if (!ModelRef.isName(name)) throw ModelProblems.invalidName("name");
    }

    private static Problem noAlias(String name, String alias) {
        return Problem.notFound("No alias '" + Problem.shown(alias) + "' of '" + Problem.shown(name) + "'.");
    }

    private static Problem malformed() {
        return Problem.malformed(
                "Send {\"version\": 3} or {\"model\": \"m-…\"}: exactly one of them.",
                Violation.field("version", "exactly one of version or model"));
    }
}
