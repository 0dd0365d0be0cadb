package dev.bnserve.model;

import java.util.Map;
import java.util.function.Consumer;

/**
 * What is kept per model name beyond the models themselves: the last version issued (so that a deleted version's
 * number is never given to another model) and the aliases (alias → model id). {@link FileNameStore} is the embedded
 * default. A change is durable when the call returns and is then published to the listeners, so a reader after the
 * call sees it.
 */
public interface NameStore {

    /** The aliases of {@code name} (alias → model id), empty when it has none. Immutable. */
    Map<String, String> aliases(String name);

    /** Points {@code alias} of {@code name} at {@code modelId}, replacing its previous target. */
    void putAlias(String name, String alias, String modelId);

    /** Removes {@code alias} of {@code name}; false if it did not exist. */
    boolean deleteAlias(String name, String alias);

    /**
     * Issues the next version of {@code name}: one more than the last issued, and at least {@code atLeast} (the
     * versions already in the model store, should this store have lost track of them).
     */
    int issueVersion(String name, int atLeast);

    /** Called with the name whose aliases changed, after each change. */
    void onAliasesChanged(Consumer<String> listener);
}
