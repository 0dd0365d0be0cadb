package dev.bnserve.web;

import dev.bnserve.model.Task;
import dev.bnserve.predict.PredictionService;
import dev.bnserve.predict.Predictions;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON of the Open Inference Protocol's {@code infer}, both ways, streaming (no tree, no boxed numbers): reads an
 * inference request into {@link Tensor}s as sent (checked against a model by {@link OpenInferenceController}) and
 * writes {@link Predictions} as the protocol's output tensors.
 */
final class InferenceCodec {
    static final String FP64 = "FP64";
    static final String BYTES = "BYTES";
    static final String PROBABILITIES = "probabilities";
    static final String PREDICTION = "prediction";

    private InferenceCodec() {}

    /** An inference request as sent: {@code outputs} is null when the client asked for none in particular. */
    record Request(String id, List<Tensor> inputs, List<String> outputs) {}

    /**
     * An input tensor as sent: its {@code data} flattened row-major into {@link Data}, whatever its nesting.
     *
     * @param shape null when absent
     */
    record Tensor(String name, String datatype, long[] shape, Data data) {
        /** The number of elements its shape says, or −1 for an absent or impossible shape. */
        long elements() {
            if (shape == null) return -1;
            long n = 1;
            for (long d : shape) {
                if (d < 0 || (d > 0 && n > Long.MAX_VALUE / d)) return -1;
                n *= d;
            }
            return n;
        }
    }

    /**
     * A tensor's elements: element {@code i} is the number {@code values[i]}, or the string {@code texts[i]} (then
     * {@code values[i]} is NaN), or JSON null (NaN and no text); {@code strings} and {@code nulls} count those, and
     * {@code count} all.
     */
    record Data(double[] values, String[] texts, int strings, int nulls, int count) {}

    static Request read(JsonMapper mapper, byte[] body, int maxElements) {
        if (body.length == 0) throw bad("The request body is empty; send an inference request object.", "$");
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("The request body must be a JSON object with 'inputs'.", "$");
            }
            String id = null;
            List<Tensor> inputs = null;
            List<String> outputs = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> {
                        if (t != JsonToken.VALUE_STRING) throw bad("'id' must be a string.", "id");
                        id = p.getString();
                    }
                    case "parameters" -> parameters(p, "parameters");
                    case "inputs" -> inputs = inputs(p, maxElements);
                    case "outputs" -> outputs = outputs(p);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) throw bad("Unexpected content after the JSON object.", "$");
            if (inputs == null) throw bad("The request has no 'inputs'.", "inputs");
            return new Request(id, inputs, outputs);
        } catch (JacksonException e) {
            throw bad("The request body is not valid JSON: " + JsonErrors.readable(e.getOriginalMessage()) + ".", "$");
        }
    }

    /**
     * A {@code parameters} object: any keys are accepted and ignored, except those of the binary tensor extension,
     * which this server does not speak (tensors arrive as JSON only).
     */
    private static void parameters(JsonParser p, String at) {
        if (p.currentToken() != JsonToken.START_OBJECT) throw bad("'" + at + "' must be an object.", at);
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            if ((key.equals("binary_data") || key.equals("binary_data_output")) && t == JsonToken.VALUE_TRUE
                    || key.equals("binary_data_size")) {
                throw bad(
                        "'" + at + "." + key + "': binary tensor data is not supported; send the tensors as JSON.",
                        at + "." + key);
            }
            p.skipChildren();
        }
    }

    private static List<Tensor> inputs(JsonParser p, int maxElements) {
        if (p.currentToken() != JsonToken.START_ARRAY) throw bad("'inputs' must be an array of tensors.", "inputs");
        List<Tensor> inputs = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) inputs.add(tensor(p, inputs.size(), maxElements));
        if (inputs.isEmpty()) throw bad("'inputs' is empty; send at least one tensor.", "inputs");
        return inputs;
    }

    private static Tensor tensor(JsonParser p, int index, int maxElements) {
        String at = "inputs[" + index + "]";
        if (p.currentToken() != JsonToken.START_OBJECT) throw bad("'" + at + "' must be a tensor object.", at);
        String name = null;
        String datatype = null;
        long[] shape = null;
        Data data = null;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String key = p.currentName();
            JsonToken t = p.nextToken();
            switch (key) {
                case "name" -> {
                    if (t != JsonToken.VALUE_STRING) throw bad("'" + at + ".name' must be a string.", at + ".name");
                    name = p.getString();
                }
                case "datatype" -> {
                    if (t != JsonToken.VALUE_STRING) {
                        throw bad("'" + at + ".datatype' must be a string.", at + ".datatype");
                    }
                    datatype = p.getString();
                }
                case "shape" -> shape = shape(p, at + ".shape");
                case "parameters" -> parameters(p, at + ".parameters");
                case "data" -> data = data(p, at + ".data", maxElements);
                default -> p.skipChildren();
            }
        }
        String which = name == null ? at : "input tensor '" + name + "'";
        if (name == null) throw bad("'" + at + "' has no 'name'.", at + ".name");
        if (datatype == null) throw bad("The " + which + " has no 'datatype'.", at + ".datatype");
        if (shape == null) throw bad("The " + which + " has no 'shape'.", at + ".shape");
        if (data == null) throw bad("The " + which + " has no 'data'.", at + ".data");
        return new Tensor(name, datatype, shape, data);
    }

    private static long[] shape(JsonParser p, String at) {
        if (p.currentToken() != JsonToken.START_ARRAY) throw bad("'" + at + "' must be an array of sizes.", at);
        long[] shape = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0) {
                p.skipChildren();
                throw bad("'" + at + "' must hold non-negative integers.", at);
            }
            if (n == 8) throw bad("'" + at + "' has more than 8 dimensions.", at);
            if (n == shape.length) shape = Arrays.copyOf(shape, n * 2);
            shape[n++] = p.getLongValue();
        }
        return Arrays.copyOf(shape, n);
    }

    /** The elements of {@code data}, flattened row-major: the protocol allows nested arrays as well as flat ones. */
    private static Data data(JsonParser p, String at, int maxElements) {
        if (p.currentToken() != JsonToken.START_ARRAY) throw bad("'" + at + "' must be an array.", at);
        double[] values = new double[16];
        String[] texts = null;
        int n = 0;
        int strings = 0;
        int nulls = 0;
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                depth++;
                continue;
            }
            if (t == JsonToken.END_ARRAY) {
                depth--;
                continue;
            }
            if (n == maxElements) {
                throw Problem.tooLarge(
                        "'" + at + "' holds more than " + maxElements + " elements.",
                        Violation.field(at, "at most " + maxElements + " elements"));
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
                if (texts != null) texts = Arrays.copyOf(texts, n * 2);
            }
            switch (t) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> values[n] = p.getValueAsDouble();
                case VALUE_STRING -> {
                    if (texts == null) texts = new String[values.length];
                    texts[n] = p.getString();
                    values[n] = Double.NaN;
                    strings++;
                }
                case VALUE_NULL -> {
                    values[n] = Double.NaN;
                    nulls++;
                }
                case VALUE_TRUE, VALUE_FALSE ->
                    throw bad("'" + at + "' holds a boolean; BOOL tensors are not inputs of these models.", at);
                default -> throw bad("'" + at + "' must hold numbers or strings, not objects.", at);
            }
            n++;
        }
        return new Data(Arrays.copyOf(values, n), texts == null ? null : Arrays.copyOf(texts, n), strings, nulls, n);
    }

    private static List<String> outputs(JsonParser p) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw bad("'outputs' must be an array of requested outputs.", "outputs");
        }
        List<String> names = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String at = "outputs[" + names.size() + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw bad("'" + at + "' must be an object with a 'name'.", at);
            }
            String name = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                if (key.equals("name") && t == JsonToken.VALUE_STRING) name = p.getString();
                else if (key.equals("parameters")) parameters(p, at + ".parameters");
                else p.skipChildren();
            }
            if (name == null) throw bad("'" + at + "' has no 'name' string.", at + ".name");
            names.add(name);
        }
        return names;
    }

    /** The output tensors a model of {@code task} gives, in their default order. */
    static List<String> outputNames(Task task) {
        return task == Task.CLASSIFICATION ? List.of(PROBABILITIES, PREDICTION) : List.of(PREDICTION);
    }

    /**
     * The inference response: {@code model_name} as the client named the model, the id of the model that answered
     * and any per-row warnings in {@code parameters}, then the requested outputs (all by default).
     */
    static byte[] write(
            JsonMapper mapper, String modelName, String modelVersion, String id, Predictions a, List<String> outputs) {
        int n = a.rows();
        int k = a.width();
        double[] y = a.outputs();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 24 * y.length);
        try (JsonGenerator g = mapper.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringProperty("model_name", modelName);
            if (modelVersion != null) g.writeStringProperty("model_version", modelVersion);
            if (id != null) g.writeStringProperty("id", id);
            g.writeObjectPropertyStart("parameters");
            g.writeStringProperty("model", a.model());
            if (a.warnings() != null) {
                g.writeArrayPropertyStart("warnings");
                for (int r = 0; r < n; r++) {
                    if (a.warnings()[r] == null) continue;
                    for (String w : a.warnings()[r]) g.writeString("row " + r + ": " + w);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeArrayPropertyStart("outputs");
            for (String name : outputs) {
                g.writeStartObject();
                g.writeStringProperty("name", name);
                boolean probabilities = name.equals(PROBABILITIES);
                boolean labels = a.task() == Task.CLASSIFICATION && !probabilities;
                g.writeStringProperty("datatype", labels ? BYTES : FP64);
                g.writeArrayPropertyStart("shape");
                g.writeNumber(n);
                if (probabilities) g.writeNumber(k);
                g.writeEndArray();
                g.writeArrayPropertyStart("data");
                if (labels) {
                    for (int r = 0; r < n; r++) g.writeString(a.classes().get(a.best()[r]));
                } else {
                    for (double v : y) g.writeNumber(v); // probabilities row-major, or one prediction per row
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** The model metadata response (see {@link OpenInferenceController#metadata}). */
    static byte[] metadata(JsonMapper mapper, String name, PredictionService.Signature s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        try (JsonGenerator g = mapper.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringProperty("name", name);
            g.writeStringProperty("platform", OpenInferenceController.PLATFORM);
            g.writeArrayPropertyStart("inputs");
            for (PredictionService.Input in : s.inputs()) {
                tensor(g, in.name(), OpenInferenceController.datatype(in.type()), -1);
            }
            g.writeEndArray();
            g.writeArrayPropertyStart("outputs");
            for (String out : outputNames(s.task())) {
                boolean probabilities = out.equals(PROBABILITIES);
                String type = s.task() == Task.CLASSIFICATION && !probabilities ? BYTES : FP64;
                tensor(g, out, type, probabilities ? s.classes().size() : 0);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** A metadata tensor of shape {@code [-1]}, or {@code [-1, width]} for a positive width. */
    private static void tensor(JsonGenerator g, String name, String datatype, int width) {
        g.writeStartObject();
        g.writeStringProperty("name", name);
        g.writeStringProperty("datatype", datatype);
        g.writeArrayPropertyStart("shape");
        g.writeNumber(-1);
        if (width > 0) g.writeNumber(width);
        g.writeEndArray();
        g.writeEndObject();
    }

    static Problem bad(String detail, String field) {
        return Problem.malformed(detail, Violation.field(field, detail));
    }
}
