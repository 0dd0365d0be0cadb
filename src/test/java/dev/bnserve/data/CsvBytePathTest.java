package dev.bnserve.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.problem.Problem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte path (chunks parsed in parallel, {@link CsvBytes}) gives exactly what the character path (one
 * {@link CsvTokenizer} over decoded text) gives: the same columns, bit for bit, or the same problem with the same
 * violations in the same order. Inputs are hand-picked edge cases and random files built from quotes, line ends,
 * delimiters, missing tokens, dates, non-finite literals, non-ASCII and undecodable bytes; chunks as small as a few
 * bytes put record boundaries everywhere.
 */
class CsvBytePathTest {

    private static final CsvLimits LIMITS = new CsvLimits(0, 0, 0);

    @Test
    void edgeCasesMatchTheCharacterPath() throws IOException {
        String[] cases = {
            "a,b\n1,2\n3,4\n",
            "a,b\r\n1,2\r\n3,4",
            "a,b\r1,2\r3,4\r",
            "\uFEFFa,b\n1,2\n",
            "\n\n\r\na;b\n1;2\n\n3;4\n",
            "a,b\n1,2,3\n4\n5,6\n",
            "a,b\n\"1\",\"x, y\"\n\"2\",\"he said \"\"hi\"\"\"\n",
            "a,b\n\"multi\nline\",1\n2,3\n",
            "a,b\n\"open,1\n2,3\n",
            "a,b\n\"x\"junk,1\n\"y\"\"\",2\n",
            "a,b\nab\"c,1\n5\" inch,2\n",
            "x\n1\n-0\n-0.0\n007\n1e5\n+1\n 2\n3 \n1.\n.5\n1234567890123456\n123456789012345\n0.1\n",
            "x\nNaN\n1\n",
            "x\nInfinity\n1\n-inf\n",
            "x,y\n2012-01-01,a\n2012-01-01T13:00:00Z,b\nNA,c\n2012-01-02,d\n",
            "x\n1\n2012-01-01\n",
            "x\n\nNA\n2012-01-01\n",
            "c\ncittà\nMünchen\nZ\u00fcrich\n",
            "a,b\n1,\"\"\n,2\n\"\",\"\"\n",
            "a,a\n1,2\n",
            "a,,c\n1,2,3\n",
            "only\n",
            "",
            "\n\n",
            "a|b|c\n1|2|3\n",
            "a\tb\n1\t2\n",
            "a,b\n1,2\n\u0000,3\n",
            "a,b\n1,x\n2,y\u0001z\n3,y\u0001z\n4,\u007f\n",
            "a,b\n1,\"x\ty\"\n2,\"two\nlines\"\n",
            "a,b\n1,\uFFFF\n",
            "\"a;b;c\",d\n1,2\n",
            "a,b\n1,NA\n2,null\n3,None\n4,N/A\n5,  na \n",
        };
        for (String csv : cases) {
            assertSame(csv.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, CsvOptions.defaults());
        }
        assertSame(
                "a,b\n1,\u00e9\n".getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.ISO_8859_1,
                CsvOptions.defaults());
        assertSame(
                new byte[] {'a', ',', 'b', '\n', '1', ',', (byte) 0xC3, '\n', '2', ',', (byte) 0xFF, '\n'},
                StandardCharsets.UTF_8,
                CsvOptions.defaults());
        assertSame(
                "x,y\n1,-999\n-999,2\n?,3\n".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8,
                CsvOptions.defaults().withMissingTokens(List.of("-999", "?")));
        assertSame(
                "a,b\n1;2\n".getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8,
                CsvOptions.defaults().withDelimiter(';', "delimiter"));
    }

    @Test
    void manyErrorsStopAtTheSameTwentieth() throws IOException {
        StringBuilder csv = new StringBuilder("a,b\n");
        for (int i = 0; i < 200; i++) {
            csv.append(i % 7 == 0 ? "1,2,3\n" : i % 11 == 0 ? "\"x\"y,1\n" : "1,2\n");
        }
        assertSame(csv.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, CsvOptions.defaults());
    }

    @Test
    void limitsMatch() throws IOException {
        byte[] csv = "a,b\n1,2\n3,4\n5,6\n\"7\",8\n".getBytes(StandardCharsets.UTF_8);
        for (CsvLimits limits : List.of(new CsvLimits(0, 2, 0), new CsvLimits(0, 0, 1), new CsvLimits(0, 4, 2))) {
            for (int chunk : new int[] {4, 9, 1 << 20}) {
                assertThat(outcome(
                                new CsvParser(limits, false, chunk, 64),
                                csv,
                                StandardCharsets.UTF_8,
                                CsvOptions.defaults()))
                        .isEqualTo(outcome(
                                new CsvParser(limits, true, chunk, 64),
                                csv,
                                StandardCharsets.UTF_8,
                                CsvOptions.defaults()));
            }
        }
    }

    @Test
    void randomFilesMatchTheCharacterPath() throws IOException {
        Random random = new Random(15);
        String[] cells = {
            "1",
            "-2.5",
            "0",
            "3.25",
            "12",
            "-0",
            "1e3",
            "007",
            " 4",
            "NA",
            "null",
            "",
            "\"5\"",
            "\"a,b\"",
            "x",
            "\"q\"\"q\"",
            "\"two\nlines\"",
            "\"cr\rin\"",
            "2012-01-01",
            "2012-01-01T00:00:00Z",
            "Inf",
            "NaN",
            "é",
            "\"open",
            "a\"b",
            "\"c\"d",
            "1;2",
            "\t",
            "0.000",
            "99999999999999999",
            "1.5",
            "1.5",
            "7",
            "7",
            "y"
        };
        String[] ends = {"\n", "\n", "\n", "\r\n", "\r", "\n\n"};
        for (int file = 0; file < 400; file++) {
            int width = 1 + random.nextInt(4);
            StringBuilder csv = new StringBuilder();
            for (int c = 0; c < width; c++) {
                csv.append(c == 0 ? "" : ",").append("c").append(c);
            }
            csv.append('\n');
            int rows = random.nextInt(40);
            boolean numeric = random.nextBoolean();
            for (int r = 0; r < rows; r++) {
                int fields = random.nextInt(30) == 0 ? width + 1 : width;
                for (int c = 0; c < fields; c++) {
                    String cell = numeric && random.nextInt(8) != 0
                            ? String.valueOf(random.nextInt(2000) - 1000)
                                    + (random.nextBoolean() ? "." + random.nextInt(100) : "")
                            : cells[random.nextInt(cells.length)];
                    csv.append(c == 0 ? "" : ",").append(cell);
                }
                csv.append(ends[random.nextInt(ends.length)]);
            }
            byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(10) == 0 && bytes.length > 10) {
                bytes[5 + random.nextInt(bytes.length - 5)] = (byte) 0xFE; // an undecodable byte
            }
            assertSame(bytes, StandardCharsets.UTF_8, CsvOptions.defaults());
        }
    }

    @Test
    void aRecordWithoutEndInSightGoesOnOnTheCharacterPath() throws IOException {
        // more than the 320 KiB read for delimiter detection, so later records arrive in chunks
        StringBuilder csv = new StringBuilder("a,b\n");
        while (csv.length() < 400_000) {
            csv.append("1.5,2\n");
        }
        csv.append("\"").append("long ".repeat(2000)).append("\",3\n4,5\n");
        csv.append("6,\"").append("x".repeat(5000)).append("\n7,8\n"); // an unterminated quote
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        Object reference = outcome(
                new CsvParser(LIMITS, true, 1 << 20, 8 << 20), bytes, StandardCharsets.UTF_8, CsvOptions.defaults());
        for (int chunk : new int[] {1000, 1 << 20}) {
            assertThat(outcome(
                            new CsvParser(LIMITS, false, chunk, 4096),
                            bytes,
                            StandardCharsets.UTF_8,
                            CsvOptions.defaults()))
                    .isEqualTo(reference);
        }
        String fine = csv.substring(0, csv.lastIndexOf("6,\""));
        byte[] ok = fine.getBytes(StandardCharsets.UTF_8);
        Object good = outcome(
                new CsvParser(LIMITS, true, 1 << 20, 8 << 20), ok, StandardCharsets.UTF_8, CsvOptions.defaults());
        assertThat(good.toString()).startsWith("rows=");
        assertThat(outcome(new CsvParser(LIMITS, false, 1000, 4096), ok, StandardCharsets.UTF_8, CsvOptions.defaults()))
                .isEqualTo(good);
    }

    private static void assertSame(byte[] bytes, Charset charset, CsvOptions options) throws IOException {
        Object reference = outcome(new CsvParser(LIMITS, true, 1 << 20, 8 << 20), bytes, charset, options);
        for (int chunk : new int[] {1, 3, 8, 17, 64, 1 << 20}) {
            Object fast = outcome(new CsvParser(LIMITS, false, chunk, 8 << 20), bytes, charset, options);
            assertThat(fast)
                    .as("chunks of %d bytes, input:%n%s", chunk, new String(bytes, charset))
                    .isEqualTo(reference);
        }
    }

    /** The parse's result as comparable text: every column bit for bit, or the problem and its violations. */
    private static Object outcome(CsvParser parser, byte[] bytes, Charset charset, CsvOptions options)
            throws IOException {
        Dataset d;
        try {
            d = parser.parse(new ByteArrayInputStream(bytes), charset, "t", options);
        } catch (Problem p) {
            return "problem " + p.kind() + " " + p.type() + " " + p.detail() + " " + p.violations();
        }
        List<String> out = new ArrayList<>();
        out.add("rows=" + d.rows() + " delimiter=" + (int) d.delimiter());
        for (Column c : d.columns()) {
            StringBuilder s = new StringBuilder(c.name() + " " + c.type() + ":");
            if (c instanceof NumericColumn n) {
                for (double v : n.toArray()) {
                    s.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v)));
                }
            } else if (c instanceof DateColumn t) {
                s.append(t.hasTime());
                for (double v : t.epochSeconds()) {
                    s.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v)));
                }
            } else {
                CategoricalColumn k = (CategoricalColumn) c;
                s.append(k.levels());
                for (int code : k.codes()) {
                    s.append(' ').append(code);
                }
            }
            out.add(s.toString());
        }
        ByteArrayOutputStream stored = new ByteArrayOutputStream();
        DatasetCodec.write(d, stored);
        out.add("stored " + stored.size());
        return String.join("\n", out);
    }
}
