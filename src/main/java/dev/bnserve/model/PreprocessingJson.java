package dev.bnserve.model;

import dev.bnserve.prep.ColumnEncoding;
import dev.bnserve.prep.ColumnEncoding.InputType;
import dev.bnserve.prep.Preprocessor;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The {@code preprocessing} field of a model document: {@code {"columns": [...], "encodedInputs": [...]}} with one
 * column per input, e.g. {@code {"name": "Horsepower", "type": "numeric", "impute": 104.3, "indicator": true}},
 * {@code {"name": "Origin", "type": "categorical", "levels": ["Europe", "Japan", "USA"], "indicator": false}},
 * {@code {"name": "Year", "type": "date", "impute": 1.9e8, "indicator": false, "hasTime": false}} or
 * {@code {"name": "Cylinders", "type": "numeric", "encoding": "constant"}} (an input that is not encoded).
 */
final class PreprocessingJson {
    private PreprocessingJson() {}

    static void write(JsonGenerator g, Preprocessor p) {
        g.writeStartObject();
        g.writeArrayPropertyStart("columns");
        for (ColumnEncoding c : p.columns()) {
            g.writeStartObject();
            g.writeStringProperty("name", c.name());
            g.writeStringProperty("type", c.inputType().id());
            if (c instanceof ColumnEncoding.Constant) {
                g.writeStringProperty("encoding", "constant");
            } else if (c instanceof ColumnEncoding.Numeric n) {
                g.writeNumberProperty("impute", n.impute());
                g.writeBooleanProperty("indicator", n.indicator());
            } else if (c instanceof ColumnEncoding.Date d) {
                g.writeNumberProperty("impute", d.impute());
                g.writeBooleanProperty("indicator", d.indicator());
                g.writeBooleanProperty("hasTime", d.hasTime());
                g.writeArrayPropertyStart("parts");
                for (String part : d.parts()) g.writeString(part);
                g.writeEndArray();
            } else {
                ColumnEncoding.Categorical cat = (ColumnEncoding.Categorical) c;
                g.writeArrayPropertyStart("levels");
                for (String l : cat.levels()) g.writeString(l);
                g.writeEndArray();
                g.writeBooleanProperty("indicator", cat.indicator());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayPropertyStart("encodedInputs");
        for (String s : p.encodedInputs()) g.writeString(s);
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Reads the field; its columns must be {@code inputs}, in order. */
    static Preprocessor read(JsonNode n, List<String> inputs) {
        JsonNode cols = n.get("columns");
        if (cols == null || !cols.isArray() || cols.size() != inputs.size()) {
            throw new ModelFormatException(
                    "preprocessing.columns", "must be an array of " + inputs.size() + " columns, one per input");
        }
        List<ColumnEncoding> out = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            JsonNode c = cols.get(i);
            String at = "preprocessing.columns[" + i + "]";
            String name = c.path("name").asString(null);
            if (!inputs.get(i).equals(name)) {
                throw new ModelFormatException(at + ".name", "must be the input '" + inputs.get(i) + "'");
            }
            InputType type = inputType(c.path("type").asString(""), at + ".type");
            if ("constant".equals(c.path("encoding").asString(""))) {
                out.add(new ColumnEncoding.Constant(name, type));
                continue;
            }
            boolean indicator = bool(c, "indicator", at);
            out.add(
                    switch (type) {
                        case NUMERIC -> new ColumnEncoding.Numeric(name, finite(c, "impute", at), indicator);
                        case DATE -> date(c, name, indicator, at);
                        case CATEGORICAL -> new ColumnEncoding.Categorical(name, levels(c, at), indicator);
                    });
        }
        Preprocessor p = new Preprocessor(out);
        JsonNode encoded = n.get("encodedInputs");
        if (encoded != null && !encoded.isNull()) {
            List<String> names = new ArrayList<>();
            encoded.forEach(e -> names.add(e.asString("")));
            if (!names.equals(p.encodedInputs())) {
                throw new ModelFormatException(
                        "preprocessing.encodedInputs", "must be the encoding's inputs " + p.encodedInputs());
            }
        }
        return p;
    }

    private static ColumnEncoding.Date date(JsonNode c, String name, boolean indicator, String at) {
        JsonNode v = c.get("parts");
        if (v == null || !v.isArray()) throw new ModelFormatException(at + ".parts", "must be an array of date parts");
        List<String> parts = new ArrayList<>();
        for (JsonNode p : v) parts.add(p.asString(""));
        ColumnEncoding.Date d =
                new ColumnEncoding.Date(name, finite(c, "impute", at), indicator, bool(c, "hasTime", at), parts);
        try {
            d.encode(0, new double[d.width()], 0); // every part is known
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(at + ".parts", e.getMessage());
        }
        return d;
    }

    private static InputType inputType(String id, String at) {
        for (InputType t : InputType.values()) if (t.id().equals(id)) return t;
        throw new ModelFormatException(at, "unknown type '" + id + "' (expected numeric, date or categorical)");
    }

    private static boolean bool(JsonNode c, String field, String at) {
        JsonNode v = c.get(field);
        if (v == null || !v.isBoolean()) throw new ModelFormatException(at + "." + field, "must be true or false");
        return v.booleanValue();
    }

    private static double finite(JsonNode c, String field, String at) {
        JsonNode v = c.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new ModelFormatException(at + "." + field, "must be a finite number");
        }
        return v.doubleValue();
    }

    private static List<String> levels(JsonNode c, String at) {
        JsonNode v = c.get("levels");
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw new ModelFormatException(at + ".levels", "must be a non-empty array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode l : v) {
            if (!l.isString()) throw new ModelFormatException(at + ".levels", "must be a non-empty array of strings");
            out.add(l.stringValue());
        }
        if (out.stream().distinct().count() != out.size()) {
            throw new ModelFormatException(at + ".levels", "levels must be distinct");
        }
        return out;
    }
}
