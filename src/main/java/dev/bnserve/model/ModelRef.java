package dev.bnserve.model;

import java.util.regex.Pattern;

/**
 * What a client may write wherever a model id is accepted: an id ({@code m-…}), a name (its newest ready version), a
 * name and version ({@code penguins@3}) or a name and alias ({@code penguins@production}).
 *
 * <p>Names match {@value #NAME_SYNTAX}; aliases match {@value #ALIAS_SYNTAX}, a letter first so that
 * {@code name@3} is always a version.
 *
 * @param kind    which form it is
 * @param id      the id ({@link Kind#ID}), else null
 * @param name    the name (every other kind), else null
 * @param version the version ({@link Kind#VERSION}), else 0
 * @param alias   the alias ({@link Kind#ALIAS}), else null
 */
public record ModelRef(Kind kind, String id, String name, int version, String alias) {
    public static final String NAME_SYNTAX = "[a-z0-9][a-z0-9._-]{0,63}";
    public static final String ALIAS_SYNTAX = "[a-z][a-z0-9._-]{0,63}";

    private static final Pattern NAME = Pattern.compile(NAME_SYNTAX);
    private static final Pattern ALIAS = Pattern.compile(ALIAS_SYNTAX);
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

    public enum Kind {
        /** A model id as issued by {@link ModelIds}. */
        ID,
        /** The newest ready version of the models named {@code name}. */
        NEWEST,
        /** Version {@code version} (1, 2, …, in order of creation) of the models named {@code name}. */
        VERSION,
        /** The version that alias {@code alias} of {@code name} points to. */
        ALIAS
    }

    /**
     * Reads a reference; null when {@code ref} is none of the forms (so it names no model). An id is tried first: a
     * name that looks like an id is still reachable as {@code name@…}.
     */
    public static ModelRef parse(String ref) {
        if (ref == null) return null;
        if (ModelIds.isValid(ref)) return new ModelRef(Kind.ID, ref, null, 0, null);
        int at = ref.indexOf('@');
        String name = at < 0 ? ref : ref.substring(0, at);
        if (!isName(name)) return null;
        if (at < 0) return new ModelRef(Kind.NEWEST, null, name, 0, null);
        String tail = ref.substring(at + 1);
        if (VERSION.matcher(tail).matches())
            return new ModelRef(Kind.VERSION, null, name, Integer.parseInt(tail), null);
        if (isAlias(tail)) return new ModelRef(Kind.ALIAS, null, name, 0, tail);
        return null;
    }

    public static boolean isName(String s) {
        return s != null && NAME.matcher(s).matches();
    }

    public static boolean isAlias(String s) {
        return s != null && ALIAS.matcher(s).matches();
    }
}
