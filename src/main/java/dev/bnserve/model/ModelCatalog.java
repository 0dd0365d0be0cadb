package dev.bnserve.model;

import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Models by reference ({@link ModelRef}): resolves ids, names, versions and aliases to models, issues versions to new
 * named models, and keeps the rule that a version an alias points to cannot be deleted. Changes of aliases and deletes
 * are serialized by one lock, so an alias never points to a deleted model.
 */
public final class ModelCatalog {
    private final ModelStore models;
    private final NameStore names;
    private final Object lock = new Object();

    public ModelCatalog(ModelStore models, NameStore names) {
        this.models = models;
        this.names = names;
    }

    public ModelStore models() {
        return models;
    }

    public NameStore names() {
        return names;
    }

    /** The model {@code ref} names, if any: an id, a name's newest ready version (else its newest), a version, an alias. */
    public Optional<ModelRecord> find(String ref) {
        ModelRef r = ModelRef.parse(ref);
        if (r == null) return Optional.empty();
        return switch (r.kind()) {
            case ID -> models.get(r.id());
            case NEWEST -> {
                List<ModelRecord> all = versions(r.name());
                yield all.stream()
                        .filter(m -> m.status() == ModelStatus.READY)
                        .findFirst()
                        .or(() -> all.stream().findFirst());
            }
            case VERSION ->
                versions(r.name()).stream()
                        .filter(m -> m.version() == r.version())
                        .findFirst();
            case ALIAS -> {
                String id = names.aliases(r.name()).get(r.alias());
                yield id == null ? Optional.empty() : models.get(id);
            }
        };
    }

    /** The model {@code ref} names, else a 404 that says what was looked for. */
    public ModelRecord require(String ref) {
        return find(ref).orElseThrow(() -> notFound(ref));
    }

    /** The 404 for a reference that names no model, saying what the name has when it is one. */
    public Problem notFound(String ref) {
        ModelRef r = ModelRef.parse(ref);
        if (r == null || r.kind() == ModelRef.Kind.ID) return ModelProblems.notFound(ref);
        String name = r.name();
        List<ModelRecord> all = versions(name);
        if (all.isEmpty()) return ModelProblems.notFound(ref);
        String has =
                "versions " + all.stream().map(m -> "@" + m.version()).sorted().toList();
        Map<String, String> aliases = names.aliases(name);
        if (!aliases.isEmpty())
            has += " and aliases " + aliases.keySet().stream().map(a -> "@" + a).toList();
        return Problem.notFound("No model '" + Problem.shown(ref) + "': '" + name + "' has " + has + ".");
    }

    /** The versions of {@code name}, newest first. */
    public List<ModelRecord> versions(String name) {
        return models.list().stream()
                .filter(m -> name.equals(m.name()))
                .sorted(Comparator.comparing(ModelRecord::version).reversed())
                .toList();
    }

    /**
     * Saves a new model as the next version of {@code name} (or unnamed, when null) and returns it as saved. Versions
     * are never reused: a deleted version's number stays taken.
     */
    public ModelRecord saveNew(ModelRecord m, String name) {
        if (name == null) return models.save(m.withVersion(null, null));
        synchronized (lock) {
            int newest =
                    versions(name).stream().mapToInt(ModelRecord::version).max().orElse(0);
            int v = names.issueVersion(name, newest + 1);
            return models.save(m.withVersion(name, v));
        }
    }

    /**
     * Points {@code alias} of {@code name} at {@code target} (a version number or any model reference), which must be
     * a ready version of {@code name}; returns it. A request in flight sees the old or the new target, never neither.
     */
    public ModelRecord putAlias(String name, String alias, String target, String field) {
        if (!ModelRef.isName(name)) throw ModelProblems.invalidName("name");
        if (!ModelRef.isAlias(alias))
            throw invalidAlias("alias", "must match " + ModelRef.ALIAS_SYNTAX + " (a letter first: @3 is a version)");
        synchronized (lock) {
            ModelRecord m =
                    find(target).orElseThrow(() -> invalidAlias(field, "no model '" + Problem.shown(target) + "'"));
            if (!name.equals(m.name())) {
                throw invalidAlias(
                        field,
                        "model " + m.id() + (m.name() == null ? " has no name" : " is a version of '" + m.name() + "'")
                                + ", not of '" + name + "'");
            }
            if (m.status() != ModelStatus.READY) throw ModelProblems.notReady(m, "take an alias");
            names.putAlias(name, alias, m.id());
            return m;
        }
    }

    public boolean deleteAlias(String name, String alias) {
        synchronized (lock) {
            return names.deleteAlias(name, alias);
        }
    }

    /**
     * Runs {@code delete} for model {@code m} unless an alias points to it (a 409 naming the aliases); aliases cannot
     * change meanwhile.
     */
    public void deleteUnlessAliased(ModelRecord m, Runnable delete) {
        synchronized (lock) {
            if (m.name() != null) {
                List<String> pointing = names.aliases(m.name()).entrySet().stream()
                        .filter(e -> e.getValue().equals(m.id()))
                        .map(e -> m.name() + "@" + e.getKey())
                        .sorted()
                        .toList();
                if (!pointing.isEmpty()) {
                    throw Problem.conflict(
                            "model-aliased",
                            "Model has aliases",
                            "Model " + m.id() + " (" + m.reference() + ") is what " + String.join(", ", pointing)
                                    + " point" + (pointing.size() == 1 ? "s" : "") + " to; move or delete "
                                    + (pointing.size() == 1 ? "that alias" : "those aliases")
                                    + " (PUT or DELETE /aliases/" + m.name() + "/{alias}) first.");
                }
            }
            delete.run();
        }
    }

    private static Problem invalidAlias(String field, String message) {
        return Problem.invalid(
                "invalid-alias",
                "Invalid alias",
                "Cannot set the alias: " + field + " " + message + ".",
                List.of(Violation.field(field, message)));
    }
}
