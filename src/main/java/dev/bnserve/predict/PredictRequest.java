package dev.bnserve.predict;

import dev.bnserve.web.ApiException;
import dev.bnserve.web.FieldError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * A prediction request read in one streaming pass, without a JSON tree: the optional model id and
 * the rows, each either positional ({@code [1, 2]}) or named ({@code {"a": 1}}). Values are checked
 * to be finite numbers here; names and arity are checked against the model in {@link PredictionService}.
 */
record PredictRequest(String model, boolean single, List<Row> rows) {

    /** One row: {@code names == null} for a positional row; {@code index} −1 for {@code features}. */
    record Row(int index, String[] names, double[] values) {
        /** Where the row is in the request, for error messages. */
        String path() {
            return pathOf(index);
        }
    }

    /** Error locations are only built when there is an error: a large batch would otherwise make one string per value. */
    private static String pathOf(int index) {
        return index < 0 ? "features" : "instances[" + index + "]";
    }

    static PredictRequest read(JsonMapper mapper, byte[] body, int maxInstances) {
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT)
                throw bad("The request body must be a JSON object with 'features' or 'instances'.", "$");
            String model = null;
            List<Row> rows = null;
            boolean single = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "model" -> {
                        if (t == JsonToken.VALUE_STRING) model = p.getString();
                        else if (t != JsonToken.VALUE_NULL) throw bad("'model' must be a model id string.", "model");
                    }
                    case "features", "instances" -> {
                        if (rows != null)
                            throw bad("Send exactly one of 'features' (one row) or 'instances' (many rows).", name);
                        single = name.equals("features");
                        rows = single ? List.of(row(p, -1)) : instances(p, maxInstances);
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) throw bad("Unexpected content after the JSON object.", "$");
            if (rows == null)
                throw bad("Send exactly one of 'features' (one row) or 'instances' (many rows).", "features");
            return new PredictRequest(model, single, rows);
        } catch (JacksonException e) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "Malformed JSON",
                    "The request body is not valid JSON: " + readable(e.getOriginalMessage()) + ".",
                    List.of(FieldError.ofField("$", "malformed JSON")));
        }
    }

    /** Jackson's message without source locations or hints about parser features. */
    static String readable(String message) {
        String m = message == null ? "unreadable" : message;
        for (String cut : new String[] {"\n", " (start marker", ": enable `", " at [Source"}) {
            int i = m.indexOf(cut);
            if (i > 0) m = m.substring(0, i);
        }
        return m;
    }

    private static List<Row> instances(JsonParser p, int max) {
        if (p.currentToken() != JsonToken.START_ARRAY) throw bad("'instances' must be an array of rows.", "instances");
        List<Row> rows = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (rows.size() == max) {
                throw new ApiException(
                        HttpStatus.CONTENT_TOO_LARGE,
                        "Too many instances",
                        "More than " + max + " instances in one request (bnserve.limits.max-instances).",
                        List.of(FieldError.ofField("instances", "at most " + max + " rows")));
            }
            rows.add(row(p, rows.size()));
        }
        if (rows.isEmpty())
            throw unprocessable("'instances' is empty.", FieldError.ofField("instances", "must hold at least one row"));
        return rows;
    }

    private static Row row(JsonParser p, int index) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_ARRAY) {
            double[] v = new double[16];
            int n = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (n == v.length) v = Arrays.copyOf(v, n * 2);
                v[n] = number(p, index, n, null);
                n++;
            }
            return new Row(index, null, Arrays.copyOf(v, n));
        }
        if (t == JsonToken.START_OBJECT) {
            List<String> names = new ArrayList<>();
            double[] v = new double[16];
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (names.size() == v.length) v = Arrays.copyOf(v, v.length * 2);
                v[names.size()] = number(p, index, -1, name);
                names.add(name);
            }
            return new Row(index, names.toArray(String[]::new), Arrays.copyOf(v, names.size()));
        }
        throw bad("A row must be an array of numbers or an object of feature names to numbers.", pathOf(index));
    }

    /** The current value as a finite number; {@code position} in a positional row, else {@code feature} by name. */
    private static double number(JsonParser p, int row, int position, String feature) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) p.skipChildren();
            throw unprocessable(
                    what(feature) + " must be a number, got " + kind(t) + ".",
                    FieldError.ofField(valuePath(row, position, feature), "must be a number"));
        }
        double d = p.getValueAsDouble();
        if (!Double.isFinite(d)) {
            throw unprocessable(
                    what(feature) + " must be a finite number.",
                    FieldError.ofField(valuePath(row, position, feature), "must be finite"));
        }
        return d;
    }

    private static String what(String feature) {
        return feature == null ? "Every value" : "Feature '" + feature + "'";
    }

    private static String valuePath(int row, int position, String feature) {
        return pathOf(row) + (feature == null ? "[" + position + "]" : "." + feature);
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> "something else";
        };
    }

    static ApiException bad(String detail, String field) {
        return new ApiException(
                HttpStatus.BAD_REQUEST, "Bad Request", detail, List.of(FieldError.ofField(field, detail)));
    }

    static ApiException unprocessable(String detail, FieldError... errors) {
        return new ApiException(
                HttpStatus.UNPROCESSABLE_CONTENT, "Invalid prediction request", detail, List.of(errors));
    }
}
