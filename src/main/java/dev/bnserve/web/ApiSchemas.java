package dev.bnserve.web;

import dev.bnserve.data.ColumnType;
import dev.bnserve.model.ModelRef;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.Task;
import dev.bnserve.model.TrainingSpec;
import dev.bnserve.nn.Activation;
import dev.bnserve.nn.LayerKind;
import dev.bnserve.nn.NetworkSpec.Placement;
import dev.bnserve.nn.OptimizerConfig;
import dev.bnserve.nn.StatisticsMode;
import dev.bnserve.prep.Settings;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The schemas of the JSON the service reads and writes, for the OpenAPI document. The bodies are read and written by
 * hand-rolled codecs (the prediction fast path, the streamed model documents), so springdoc cannot infer them from
 * the handler signatures; they are spelled out here once, next to the code they describe. Enumerations come from the
 * domain enums and defaults from {@link TrainingSpec#DEFAULTS}, so the document cannot drift from what the reader
 * accepts.
 */
final class ApiSchemas {
    private ApiSchemas() {}

    static final String PREFIX = "#/components/schemas/";

    /** Every schema by its component name, in a stable order. */
    static Map<String, Schema<?>> all() {
        Map<String, Schema<?>> s = new LinkedHashMap<>();
        datasets(s);
        training(s);
        model(s);
        prediction(s);
        aliases(s);
        problem(s);
        openInference(s);
        s.put(
                "Pong",
                object("The constant answer of GET /ping.")
                        .addProperty("status", str("Always ok.").example("ok"))
                        .required(List.of("status")));
        s.put(
                "RecalibrateRequest",
                object("The dataset whose rows give the population statistics.")
                        .addProperty("dataset", str("Dataset id or name.").example("iris"))
                        .required(List.of("dataset")));
        return s;
    }

    static Schema<?> ref(String name) {
        return new Schema<>().$ref(PREFIX + name);
    }

    // ------------------------------------------------------------------ datasets

    private static void datasets(Map<String, Schema<?>> s) {
        s.put(
                "Dataset",
                object("A stored dataset and its column summaries (listings omit histograms and values).")
                        .addProperty("id", str(null).example("d-01m8x91pd3xg5vpgn5z1xw5sbw"))
                        .addProperty("name", str(null).example("iris"))
                        .addProperty("rows", new IntegerSchema())
                        .addProperty("created", str(null).format("date-time"))
                        .addProperty("delimiter", str("The delimiter used.").example(","))
                        .addProperty("columns", array(ref("DatasetColumn"), "In file order."))
                        .required(List.of("id", "name", "rows", "columns")));
        s.put(
                "DatasetColumn",
                object("One column. Numeric: mean, std (population), min, max, histogram. Date: min and max as"
                                + " ISO-8601 text. Categorical: distinct and values (sorted). note is constant or"
                                + " all missing when it applies.")
                        .addProperty("name", str(null))
                        .addProperty("type", enumOf(null, ColumnType.values(), ColumnType::json))
                        .addProperty("missing", new IntegerSchema().description("Missing cells."))
                        .addProperty("mean", new NumberSchema().format("double"))
                        .addProperty("std", new NumberSchema().format("double"))
                        .addProperty("min", ref("ColumnBound"))
                        .addProperty("max", ref("ColumnBound"))
                        .addProperty("distinct", new IntegerSchema())
                        .addProperty("values", array(str(null), null))
                        .addProperty("note", str(null))
                        .addProperty("histogram", ref("Histogram"))
                        .required(List.of("name", "type", "missing")));
        s.put(
                "ColumnBound",
                new Schema<>()
                        .description("A number (numeric columns) or ISO-8601 text (date columns).")
                        .oneOf(List.of(new NumberSchema().format("double"), new StringSchema())));
        s.put(
                "Histogram",
                object("Equal-width bins from min to max (the last one closed), missing cells left out.")
                        .addProperty("min", new NumberSchema().format("double"))
                        .addProperty("max", new NumberSchema().format("double"))
                        .addProperty("counts", array(new IntegerSchema(), null))
                        .required(List.of("min", "max", "counts")));
    }

    // ------------------------------------------------------------------ training request

    private static void training(Map<String, Schema<?>> s) {
        TrainingSpec d = TrainingSpec.DEFAULTS;
        TrainingSpec.BatchNormSpec bn = d.batchNorm();
        TrainingSpec.OptimizerSpec opt = d.optimizer();
        Settings prep = d.preprocessing();
        s.put(
                "TrainingRequest",
                object("A training job. Only dataset and label are required; every other field has the default shown.")
                        .addProperty(
                                "dataset",
                                str("Dataset id or name (409 when two datasets share the name).")
                                        .example("iris"))
                        .addProperty("label", str("The column to predict.").example("species"))
                        .addProperty(
                                "features",
                                array(
                                                str(null),
                                                "Feature columns, in the order the network reads them. Default: every"
                                                        + " other column except categorical ones with more than"
                                                        + " preprocessing.maxCategories levels.")
                                        .nullable(true))
                        .addProperty(
                                "task",
                                enumOf(
                                                "Default: classification for a non-numeric label, else regression.",
                                                Task.values(),
                                                Task::id)
                                        .nullable(true))
                        .addProperty(
                                "hidden",
                                array(ref("HiddenLayer"), "The hidden layers, input side first.")
                                        ._default(d.widths()))
                        .addProperty(
                                "activation",
                                enumOf("Activation of every hidden layer.", Activation.values(), Activation::id)
                                        ._default(d.activation().id()))
                        .addProperty("batchNorm", ref("BatchNormSettings"))
                        .addProperty("optimizer", ref("OptimizerSettings"))
                        .addProperty("epochs", integer("Passes over the training split.", d.epochs()))
                        .addProperty("batchSize", integer("Rows per optimizer step.", d.batchSize()))
                        .addProperty(
                                "seed",
                                new IntegerSchema()
                                        .format("int64")
                                        .description("Seeds the initialization, the validation split and the shuffles.")
                                        ._default(d.seed()))
                        .addProperty(
                                "validationSplit",
                                number("Share of rows held out for validation.", d.validationSplit()))
                        .addProperty("shuffle", bool("Shuffle the training rows every epoch.", d.shuffle()))
                        .addProperty("preprocessing", ref("PreprocessingSettings"))
                        .addProperty(
                                "earlyStopping",
                                ref("EarlyStoppingSettings")
                                        .nullable(true)
                                        .description("null (the default) trains every epoch."))
                        .addProperty(
                                "classWeights",
                                enumOf(
                                                "null (the default): unweighted loss; balanced: by inverse class"
                                                        + " frequency.",
                                                TrainingSpec.ClassWeights.values(),
                                                TrainingSpec.ClassWeights::id)
                                        .nullable(true))
                        .addProperty(
                                "name",
                                str("Makes the model the next version of this name (then name, name@N and"
                                                + " name@alias reference it).")
                                        .pattern("^" + ModelRef.NAME_SYNTAX + "$")
                                        .nullable(true)
                                        .example("iris"))
                        .required(List.of("dataset", "label")));
        s.put(
                "HiddenLayer",
                new Schema<>()
                        .description("A hidden layer: its width, or an object with settings of its own.")
                        .oneOf(List.of(
                                new IntegerSchema().minimum(BigDecimal.ONE).description("Units."),
                                ref("HiddenLayerSettings"))));
        s.put(
                "HiddenLayerSettings",
                object("A hidden layer; absent keys take the request-level values.")
                        .addProperty("units", new IntegerSchema().minimum(BigDecimal.ONE))
                        .addProperty("batchNorm", new BooleanSchema().description("Default: batchNorm.hidden."))
                        .addProperty(
                                "activation",
                                enumOf("Default: the request's activation.", Activation.values(), Activation::id))
                        .required(List.of("units")));
        s.put(
                "BatchNormSettings",
                object("BatchNorm on the input and after every hidden Linear layer.")
                        .addProperty("input", bool("Normalize the input.", bn.input()))
                        .addProperty("hidden", bool("Normalize after each hidden Linear layer.", bn.hidden()))
                        .addProperty(
                                "placement",
                                enumOf("Relative to the activation.", Placement.values(), Placement::id)
                                        ._default(bn.placement().id()))
                        .addProperty(
                                "momentum",
                                number(
                                                "PyTorch's: running = (1 - momentum)·running + momentum·batch; null:"
                                                        + " the cumulative average.",
                                                bn.momentum())
                                        .nullable(true))
                        .addProperty("eps", number("Added to the variance before the square root.", bn.eps()))
                        .addProperty(
                                "statistics",
                                enumOf(
                                                "ema keeps the moving averages; population replaces them with the"
                                                        + " training split's exact statistics; auto keeps the one"
                                                        + " with the lower validation loss.",
                                                StatisticsMode.values(),
                                                StatisticsMode::id)
                                        ._default(bn.statistics().id())));
        s.put(
                "OptimizerSettings",
                object("The optimizer, with PyTorch's meaning (for adam, momentum is beta1).")
                        .addProperty(
                                "type",
                                enumOf(null, OptimizerConfig.Type.values(), OptimizerConfig.Type::id)
                                        ._default(opt.type().id()))
                        .addProperty("learningRate", number(null, opt.learningRate()))
                        .addProperty("momentum", number(null, opt.momentum()))
                        .addProperty("weightDecay", number(null, opt.weightDecay())));
        s.put(
                "PreprocessingSettings",
                object("How raw columns are encoded (fitted on the training split only).")
                        .addProperty(
                                "missing",
                                enumOf(
                                                "A missing value: impute (mean, or no level), drop the row from"
                                                        + " training, or error (422).",
                                                Settings.Missing.values(),
                                                Settings.Missing::id)
                                        ._default(prep.missing().id()))
                        .addProperty(
                                "missingIndicators",
                                bool(
                                        "One extra 0/1 input per column with missing values in the training split.",
                                        prep.missingIndicators()))
                        .addProperty(
                                "maxCategories",
                                integer(
                                        "Categorical columns with more levels are left out of the default features.",
                                        prep.maxCategories()))
                        .addProperty(
                                "unknownCategory",
                                enumOf(
                                                "A level unseen in training: ignore (all zeros, with a warning) or"
                                                        + " error (422).",
                                                Settings.UnknownCategory.values(),
                                                Settings.UnknownCategory::id)
                                        ._default(prep.unknownCategory().id())));
        TrainingSpec.EarlyStoppingSpec early = TrainingSpec.EarlyStoppingSpec.DEFAULTS;
        s.put(
                "EarlyStoppingSettings",
                object("Stop when the validation loss has not improved by minDelta for patience epochs, and serve the"
                                + " best epoch (its parameters and BatchNorm running statistics).")
                        .addProperty("patience", integer(null, early.patience()))
                        .addProperty("minDelta", number(null, early.minDelta())));
    }

    // ------------------------------------------------------------------ model resource

    private static void model(Map<String, Schema<?>> s) {
        s.put(
                "Model",
                object("A model resource (format bnserve-model). Listings (GET /models) leave out request, history,"
                                + " preprocessing and layers; GET /models/{id} and the JSON export have them all.")
                        .addProperty("format", str("Always bnserve-model.").example("bnserve-model"))
                        .addProperty("formatVersion", new IntegerSchema().description("The document format's version."))
                        .addProperty("id", str("The model id.").example("m-01a23a91215cd1h07j866v"))
                        .addProperty(
                                "name",
                                str("The name it is a version of (named models only).")
                                        .example("iris"))
                        .addProperty(
                                "version",
                                new IntegerSchema().description("Its version of name, from 1 (named models only)."))
                        .addProperty("status", enumOf(null, ModelStatus.values(), ModelStatus::id))
                        .addProperty(
                                "trainedBy", str("While it trains: the process training it (bnserve.instance-name)."))
                        .addProperty(
                                "error", str("Why training failed, else null.").nullable(true))
                        .addProperty("created", str(null).format("date-time"))
                        .addProperty("finished", str(null).format("date-time").nullable(true))
                        .addProperty(
                                "dataset",
                                str("The id of the dataset it was trained on.").nullable(true))
                        .addProperty("label", str(null).nullable(true))
                        .addProperty("task", enumOf(null, Task.values(), Task::id))
                        .addProperty("inputs", array(str(null), "The raw input columns, in the array form's order."))
                        .addProperty(
                                "classes",
                                array(str(null), "Class labels (classification), else null.")
                                        .nullable(true))
                        .addProperty(
                                "source",
                                str("The id this model was imported from.").nullable(true))
                        .addProperty("derivedFrom", str("The model this one was recalibrated from."))
                        .addProperty("statisticsSource", str("How a recalibrated model's statistics were obtained."))
                        .addProperty("ignored", array(ref("IgnoredColumn"), "Columns left out of the features."))
                        .addProperty(
                                "encodedInputs",
                                array(str(null), "The network's (and the ONNX export's) inputs, after encoding."))
                        .addProperty("preprocessing", ref("Preprocessing"))
                        .addProperty(
                                "request",
                                ref("TrainingRequest").description("The effective request, defaults filled in."))
                        .addProperty("progress", ref("Progress"))
                        .addProperty("history", array(ref("EpochStats"), "One entry per finished epoch."))
                        .addProperty("metrics", ref("Metrics").nullable(true))
                        .addProperty(
                                "layers",
                                array(ref("Layer"), "The network, input side first; null until ready.")
                                        .nullable(true))
                        .required(List.of("id", "status", "created", "task", "inputs", "progress")));
        s.put(
                "IgnoredColumn",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("reason", str(null))
                        .required(List.of("name", "reason")));
        s.put(
                "Progress",
                object(null)
                        .addProperty("epoch", new IntegerSchema())
                        .addProperty("epochs", new IntegerSchema())
                        .required(List.of("epoch", "epochs")));
        s.put(
                "EpochStats",
                object("Losses of one epoch; validation figures in inference mode.")
                        .addProperty("epoch", new IntegerSchema())
                        .addProperty("loss", new NumberSchema().format("double"))
                        .addProperty("validationLoss", new NumberSchema().format("double"))
                        .addProperty("validationAccuracy", new NumberSchema().format("double"))
                        .addProperty("validationRmse", new NumberSchema().format("double"))
                        .required(List.of("epoch")));
        s.put(
                "Metrics",
                object("Training figures; validation holds accuracy, logLoss, macroF1, confusionMatrix, perClass"
                                + " (and rocAuc for two classes) or rmse, mae, r2.")
                        .addProperty("trainingSeconds", new NumberSchema().format("double"))
                        .addProperty("samplesPerSecond", new NumberSchema().format("double"))
                        .addProperty("wallSeconds", new NumberSchema().format("double"))
                        .addProperty("rowsProcessed", new IntegerSchema().format("int64"))
                        .addProperty("trainRows", new IntegerSchema())
                        .addProperty("validationRows", new IntegerSchema())
                        .addProperty(
                                "validationAccuracy",
                                new NumberSchema().format("double").nullable(true))
                        .addProperty(
                                "validationRmse",
                                new NumberSchema().format("double").nullable(true))
                        .addProperty(
                                "validationLoss",
                                new NumberSchema().format("double").nullable(true))
                        .addProperty("batchSize", new IntegerSchema())
                        .addProperty("bestEpoch", new IntegerSchema())
                        .addProperty("droppedRows", new IntegerSchema())
                        .addProperty("validation", freeObject("Metrics on the validation split."))
                        .addProperty(
                                "statistics",
                                freeObject("Which BatchNorm statistics are served, their drift, and the validation"
                                        + " loss with each.")));
        s.put(
                "Layer",
                object("One layer. linear: in, out, weight (out × in), bias. batchnorm: features, momentum, eps,"
                                + " gamma, beta, runningMean, runningVar, batchesTracked. relu, tanh: type only.")
                        .addProperty("type", enumOf(null, LayerKind.values(), LayerKind::id))
                        .addProperty("in", new IntegerSchema())
                        .addProperty("out", new IntegerSchema())
                        .addProperty("weight", new ArraySchema().items(doubles(null)))
                        .addProperty("bias", doubles(null))
                        .addProperty("features", new IntegerSchema())
                        .addProperty(
                                "momentum", new NumberSchema().format("double").nullable(true))
                        .addProperty("eps", new NumberSchema().format("double"))
                        .addProperty("gamma", doubles(null))
                        .addProperty("beta", doubles(null))
                        .addProperty("runningMean", doubles(null))
                        .addProperty("runningVar", doubles(null))
                        .addProperty("batchesTracked", new IntegerSchema().format("int64"))
                        .required(List.of("type")));
        s.put(
                "Preprocessing",
                object("The encoding fitted on the training split.")
                        .addProperty("columns", array(ref("EncodedColumn"), "One entry per input, in inputs order."))
                        .addProperty("encodedInputs", array(str(null), null)));
        s.put(
                "EncodedColumn",
                object("How one input is encoded: numeric and date columns impute their training mean, categorical"
                                + " ones are one-hot over levels; encoding constant means not encoded.")
                        .addProperty("name", str(null))
                        .addProperty("type", str(null).example("numeric"))
                        .addProperty("encoding", str(null).example("constant"))
                        .addProperty("impute", new NumberSchema().format("double"))
                        .addProperty("indicator", new BooleanSchema())
                        .addProperty("hasTime", new BooleanSchema())
                        .addProperty("levels", array(str(null), null))
                        .required(List.of("name", "type")));
    }

    // ------------------------------------------------------------------ prediction

    private static void prediction(Map<String, Schema<?>> s) {
        s.put(
                "FeatureValue",
                new Schema<>()
                        .description("A raw value: a number, a string (categorical level or ISO-8601 date), or"
                                + " null for missing.")
                        .oneOf(List.of(new NumberSchema().format("double").nullable(true), new StringSchema())));
        s.put(
                "Row",
                new Schema<>()
                        .description("One row: values by column name, or in the model's inputs order.")
                        .oneOf(List.of(
                                new ObjectSchema().additionalProperties(ref("FeatureValue")),
                                new ArraySchema().items(ref("FeatureValue")))));
        s.put(
                "PredictRequest",
                object("One row (features) or many (instances).")
                        .addProperty(
                                "model",
                                str("Model id or reference (name, name@3, name@alias); on POST /predict only."
                                                + " Without it, the most recently finished ready model answers, with a"
                                                + " warning.")
                                        .example("iris@production"))
                        .addProperty("features", ref("Row"))
                        .addProperty("instances", array(ref("Row"), "Many rows, answered in order.")));
        s.put(
                "Prediction",
                object("The answer: for one row prediction (and probabilities), for many predictions.")
                        .addProperty("model", str("The id of the model that answered."))
                        .addProperty("name", str("Its name (named models only)."))
                        .addProperty("version", new IntegerSchema().description("Its version (named models only)."))
                        .addProperty(
                                "warnings",
                                array(str(null), "E.g. an unknown category, or no model named in the request."))
                        .addProperty("prediction", ref("PredictedValue"))
                        .addProperty("probabilities", probabilities())
                        .addProperty("predictions", array(ref("RowPrediction"), "One per instance, in order."))
                        .required(List.of("model")));
        s.put(
                "RowPrediction",
                object("One row's answer within a batch.")
                        .addProperty("prediction", ref("PredictedValue"))
                        .addProperty("probabilities", probabilities())
                        .addProperty("warnings", array(str(null), null))
                        .required(List.of("prediction")));
        s.put(
                "PredictedValue",
                new Schema<>()
                        .description(
                                "The class label (classification) or the value in the label's units" + " (regression).")
                        .oneOf(List.of(new StringSchema(), new NumberSchema().format("double"))));
        s.put(
                "Encoded",
                object("The row as the network's input (the ONNX export's input tensor row).")
                        .addProperty("model", str(null))
                        .addProperty("encoded", doubles(null))
                        .required(List.of("model", "encoded")));
        s.put(
                "Trace",
                object("The answer of /predict plus every layer's output, through the unfolded network.")
                        .addProperty("model", str(null))
                        .addProperty("name", str(null))
                        .addProperty("version", new IntegerSchema())
                        .addProperty("warnings", array(str(null), null))
                        .addProperty("prediction", ref("PredictedValue"))
                        .addProperty("probabilities", probabilities())
                        .addProperty("steps", array(ref("TraceStep"), null))
                        .required(List.of("model", "prediction", "steps")));
        s.put(
                "TraceStep",
                object("preprocess, one step per layer (a batchnorm step has input, mean, var, eps, normalized,"
                                + " gamma, beta), then output.")
                        .addProperty("type", str(null).example("batchnorm"))
                        .addProperty("input", doubles(null))
                        .addProperty("output", doubles(null))
                        .addProperty("mean", doubles(null))
                        .addProperty("var", doubles(null))
                        .addProperty("eps", new NumberSchema().format("double"))
                        .addProperty("normalized", doubles(null))
                        .addProperty("gamma", doubles(null))
                        .addProperty("beta", doubles(null))
                        .addProperty("prediction", ref("PredictedValue"))
                        .addProperty("probabilities", probabilities())
                        .required(List.of("type")));
    }

    private static Schema<?> probabilities() {
        return new ObjectSchema()
                .description("Class label to probability (classification only).")
                .additionalProperties(new NumberSchema().format("double"));
    }

    // ------------------------------------------------------------------ aliases

    private static void aliases(Map<String, Schema<?>> s) {
        s.put(
                "AliasTarget",
                object("Exactly one of version or model.")
                        .addProperty(
                                "version",
                                new IntegerSchema().minimum(BigDecimal.ONE).example(3))
                        .addProperty("model", str("A model id or reference of the same name.")));
        s.put(
                "Alias",
                object("An alias and the model it points to.")
                        .addProperty("name", str(null).example("iris"))
                        .addProperty("alias", str(null).example("production"))
                        .addProperty("model", str("The model id."))
                        .addProperty("version", new IntegerSchema())
                        .required(List.of("name", "alias", "model")));
        s.put(
                "Aliases",
                object("The aliases of a name.")
                        .addProperty("name", str(null))
                        .addProperty("aliases", new ObjectSchema().additionalProperties(ref("Alias")))
                        .required(List.of("name", "aliases")));
    }

    // ------------------------------------------------------------------ problems

    private static void problem(Map<String, Schema<?>> s) {
        s.put(
                "Problem",
                object("RFC 9457 problem details, as application/problem+json.")
                        .addProperty(
                                "type",
                                str("/problems/<slug> (GET it for what it means), or about:blank.")
                                        .example("/problems/invalid-prediction-request"))
                        .addProperty("title", str(null))
                        .addProperty("status", new IntegerSchema())
                        .addProperty("detail", str("What went wrong and what to do."))
                        .addProperty("instance", str("The request path."))
                        .addProperty("errors", array(ref("Violation"), "Each field, row or column at fault."))
                        .required(List.of("type", "title", "status")));
        s.put(
                "Violation",
                object("One place at fault: a field, a row (its line) or a column.")
                        .addProperty("field", str(null))
                        .addProperty("row", new IntegerSchema().format("int64"))
                        .addProperty("column", str(null))
                        .addProperty("message", str(null))
                        .required(List.of("message")));
    }

    // ------------------------------------------------------------------ Open Inference Protocol

    private static void openInference(Map<String, Schema<?>> s) {
        s.put(
                "InferenceServerMetadata",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("version", str(null))
                        .addProperty("extensions", array(str(null), null))
                        .required(List.of("name", "version", "extensions")));
        s.put(
                "InferenceTensorMetadata",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("datatype", str(null).example("FP64"))
                        .addProperty("shape", array(new IntegerSchema().format("int64"), "-1: any length."))
                        .required(List.of("name", "datatype", "shape")));
        s.put(
                "InferenceModelMetadata",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("versions", array(str(null), null))
                        .addProperty("platform", str(null))
                        .addProperty("inputs", array(ref("InferenceTensorMetadata"), null))
                        .addProperty("outputs", array(ref("InferenceTensorMetadata"), null))
                        .required(List.of("name", "platform")));
        s.put(
                "InferenceRequest",
                object("Either one tensor input (FP64, [N, encodedInputs.length]) or one tensor per raw input"
                                + " column (shape [N]; FP64 numeric, BYTES categorical and date).")
                        .addProperty("id", str(null))
                        .addProperty("parameters", freeObject(null))
                        .addProperty("inputs", array(ref("InferenceRequestInput"), null))
                        .addProperty("outputs", array(ref("InferenceRequestOutput"), null))
                        .required(List.of("inputs")));
        s.put(
                "InferenceRequestInput",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("shape", array(new IntegerSchema().format("int64"), null))
                        .addProperty("datatype", str(null).example("FP64"))
                        .addProperty("parameters", freeObject(null))
                        .addProperty("data", ref("TensorData"))
                        .required(List.of("name", "shape", "datatype", "data")));
        s.put(
                "InferenceRequestOutput",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("parameters", freeObject(null))
                        .required(List.of("name")));
        s.put(
                "InferenceResponse",
                object(null)
                        .addProperty("model_name", str(null))
                        .addProperty("model_version", str(null))
                        .addProperty("id", str(null))
                        .addProperty("parameters", freeObject("model: the id of the model that answered."))
                        .addProperty("outputs", array(ref("InferenceResponseOutput"), null))
                        .required(List.of("model_name", "outputs")));
        s.put(
                "InferenceResponseOutput",
                object(null)
                        .addProperty("name", str(null))
                        .addProperty("shape", array(new IntegerSchema().format("int64"), null))
                        .addProperty("datatype", str(null))
                        .addProperty("parameters", freeObject(null))
                        .addProperty("data", ref("TensorData"))
                        .required(List.of("name", "shape", "datatype", "data")));
        s.put(
                "TensorData",
                new ArraySchema()
                        .description("The tensor's elements in row-major order, flat or nested: numbers for FP64,"
                                + " strings for BYTES.")
                        .items(new Schema<>()));
        s.put(
                "InferenceError",
                object("The protocol's error shape.")
                        .addProperty("error", str(null))
                        .required(List.of("error")));
    }

    // ------------------------------------------------------------------ helpers

    static ObjectSchema object(String description) {
        ObjectSchema o = new ObjectSchema();
        if (description != null) o.description(description);
        return o;
    }

    private static Schema<?> freeObject(String description) {
        return object(description).additionalProperties(true);
    }

    static StringSchema str(String description) {
        StringSchema s = new StringSchema();
        if (description != null) s.description(description);
        return s;
    }

    private static ArraySchema array(Schema<?> items, String description) {
        ArraySchema a = new ArraySchema().items(items);
        if (description != null) a.description(description);
        return a;
    }

    private static ArraySchema doubles(String description) {
        return array(new NumberSchema().format("double"), description);
    }

    private static IntegerSchema integer(String description, int dflt) {
        IntegerSchema i = new IntegerSchema();
        if (description != null) i.description(description);
        i._default(dflt);
        return i;
    }

    private static NumberSchema number(String description, Double dflt) {
        NumberSchema n = new NumberSchema();
        n.format("double");
        if (description != null) n.description(description);
        if (dflt != null) n._default(BigDecimal.valueOf(dflt));
        return n;
    }

    private static BooleanSchema bool(String description, boolean dflt) {
        BooleanSchema b = new BooleanSchema();
        if (description != null) b.description(description);
        b._default(dflt);
        return b;
    }

    private static <E> StringSchema enumOf(String description, E[] values, Function<E, String> id) {
        StringSchema s = str(description);
        s._enum(Arrays.stream(values).map(id).toList());
        return s;
    }
}
