package dev.bnserve.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.Task;
import dev.bnserve.model.TestModels;
import dev.bnserve.nn.Activation;
import dev.bnserve.nn.Network;
import dev.bnserve.nn.NetworkSpec;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What writing a large model costs the heap (issue 16: four concurrent GETs of a 50 MB model ran a heap out): the
 * model document and the ONNX export are written to the response stream as they are produced, so one answer
 * allocates a small fraction of the model, not a copy of the whole document. Measured with the thread's allocation
 * counter, in bytes (not time).
 */
class ExportAllocationTest {

    static ModelRecord model() {
        NetworkSpec spec = NetworkSpec.mlp(
                256,
                List.of(1024, 1024),
                1,
                Activation.RELU,
                true,
                true,
                NetworkSpec.Placement.BEFORE_ACTIVATION,
                0.1,
                1e-5);
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 256; i++) inputs.add("x" + i);
        return TestModels.ready(
                ModelIds.newId(),
                Task.REGRESSION,
                inputs,
                null,
                Instant.now(),
                Network.initialize(spec, 7).state());
    }

    static long allocated(Runnable r) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        r.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }

    /** Counts bytes, keeps none. */
    static final class Counting extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }

    @Test
    void theDocumentAndTheOnnxExportStreamWithoutACopyOfThemselves() throws Exception {
        ModelRecord m = model();
        long parameters = OnnxExport.parameterBytes(m);
        ModelJson json = new ModelJson(JsonMapper.builder().build());
        Counting doc = new Counting();
        json.write(m, new Counting()); // warm: classes loaded, generator recycled
        long document = allocated(() -> json.write(m, doc));
        long bytes = allocated(() -> json.writeBytes(m));

        Counting onnx = new Counting();
        OnnxExport.write(m, false, null, "test", new Counting());
        long streamed = allocated(() -> {
            try {
                OnnxExport.write(m, false, null, "test", onnx);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long asArray = allocated(() -> OnnxExport.write(m, false, null, "test"));
        System.out.printf(
                "model: %,d parameter bytes; document %,d bytes: streamed %,d allocated, as byte[] %,d;"
                        + " ONNX %,d bytes: streamed %,d allocated, as byte[] %,d%n",
                parameters, doc.bytes, document, bytes, onnx.bytes, streamed, asArray);
        // The document: short-lived strings of the numbers as they are formatted (about 4 bytes a byte written),
        // but no copy of the weights and no buffer of the document, which the byte[] path grows to 2-3 times its size
        assertThat(document).isLessThan(bytes - 2 * doc.bytes);
        // ONNX: the initializers' raw bytes once (protobuf needs them), no copy of the weights, no message besides
        assertThat(streamed).isLessThan(parameters + parameters / 4);
        assertThat(asArray).isGreaterThan(streamed + onnx.bytes / 2);
    }
}
