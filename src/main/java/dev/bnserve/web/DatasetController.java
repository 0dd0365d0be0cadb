package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.data.CsvLimits;
import dev.bnserve.data.CsvOptions;
import dev.bnserve.data.CsvParser;
import dev.bnserve.data.Dataset;
import dev.bnserve.data.DatasetStore;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.StorageProblems;
import dev.bnserve.problem.Violation;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Upload, list, inspect and delete datasets. Uploads are parsed while streaming; nothing is buffered whole.
 *
 * <p><b>Delimiter.</b> {@code ?delimiter=} names it: {@code ,} {@code ;} {@code |} or tab (a tab character, i.e.
 * {@code %09}, or {@code \t}, or the word {@code tab}); any other value is a 400 naming {@code delimiter}. Without
 * it, a {@code text/tab-separated-values} body (or multipart part) means tab. Otherwise the delimiter is detected
 * from the header, the first non-empty line: of {@code ,} {@code ;} tab {@code |}, the one occurring most often
 * outside double quotes; a tie for the most, or none of them at all, means comma. An explicit delimiter under which
 * the header is a single column although it contains another candidate is a 400 naming {@code delimiter} and
 * suggesting the one found. The dataset resource reports the delimiter used ({@code "delimiter": ";"}).
 *
 * <p><b>Missing values.</b> Blank cells and the tokens {@code NA}, {@code N/A}, {@code NaN}, {@code null},
 * {@code None} (trimmed, any case) are missing in every column type; {@code ?na=?,-,missing} replaces the tokens
 * (comma-separated; {@code ?na=} leaves only the blank cell). Each column summary counts them in {@code missing}.
 */
@RestController
@RequestMapping("/datasets")
class DatasetController {

    static final String TEXT_CSV = "text/csv";
    static final String TEXT_TSV = "text/tab-separated-values";
    static final int MAX_NAME_LENGTH = 200;

    private final DatasetStore store;
    private final CsvLimits limits;
    private final long maxBytes;

    DatasetController(DatasetStore store, BnserveProperties properties) {
        this.store = store;
        BnserveProperties.Limits limits = properties.limits();
        this.maxBytes = limits.maxUploadBytes().toBytes();
        this.limits = new CsvLimits(maxBytes, limits.maxRows(), limits.maxColumns());
    }

    /**
     * A parser bounded by what is left under the storage quota now: an upload whose columns would not fit stops as it
     * streams (a 507), and one over the quota from the start reads no body at all.
     */
    private CsvParser parser() {
        long quota = store.storageQuota();
        if (quota <= 0) return new CsvParser(limits);
        long remaining = store.storageRemaining();
        if (remaining <= 0) throw StorageProblems.quotaWhileReading(quota, 0);
        return new CsvParser(limits.withStorage(remaining, quota));
    }

    /** Raw CSV body, streamed straight from the request. */
    @PostMapping(consumes = {TEXT_CSV, TEXT_TSV, MediaType.TEXT_PLAIN_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
    ResponseEntity<DatasetView> uploadRaw(
            @RequestParam(required = false) String name,
            @RequestParam(required = false) String delimiter,
            @RequestParam(required = false) String na,
            HttpServletRequest request)
            throws IOException {
        String datasetName = datasetName(name, null);
        CsvOptions options = options(delimiter, na, request.getContentType());
        long length = request.getContentLengthLong();
        if (length > maxBytes) {
            throw tooLarge();
        }
        // the header's charset, not getCharacterEncoding(): Boot's CharacterEncodingFilter forces that to UTF-8
        Charset charset = charset(declaredCharset(request.getContentType()));
        try (InputStream in = request.getInputStream()) {
            return created(parser().parse(in, charset, datasetName, options, length));
        }
    }

    /** {@code multipart/form-data} with the CSV in part {@code file}. */
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<DatasetView> uploadMultipart(
            @RequestParam(required = false) String name,
            @RequestParam(required = false) String delimiter,
            @RequestParam(required = false) String na,
            @RequestPart("file") MultipartFile file)
            throws IOException {
        String datasetName = datasetName(name, file.getOriginalFilename());
        CsvOptions options = options(delimiter, na, file.getContentType());
        if (file.getSize() > maxBytes) {
            throw tooLarge();
        }
        Charset charset = StandardCharsets.UTF_8;
        if (file.getContentType() != null) {
            try {
                Charset declared =
                        MediaType.parseMediaType(file.getContentType()).getCharset();
                charset = declared == null ? charset : declared;
            } catch (RuntimeException e) {
                // unparseable part content type: keep UTF-8
            }
        }
        try (InputStream in = file.getInputStream()) {
            return created(parser().parse(in, charset, datasetName, options, file.getSize()));
        }
    }

    @GetMapping
    List<DatasetView> list() {
        return store.list().stream().map(DatasetView::summary).toList();
    }

    /** By id or by name (a name several datasets share is a 409). */
    @GetMapping("/{id}")
    DatasetView get(@PathVariable String id) {
        return DatasetView.of(store.resolve(id).orElseThrow(() -> notFound(id)));
    }

    /** By id or by name, like GET; a name several datasets share is a 409 and deletes nothing. */
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        Dataset found = store.resolve(id).orElseThrow(() -> notFound(id));
        if (!store.delete(found.id())) {
            throw notFound(id);
        }
        return ResponseEntity.noContent().build();
    }

    private ResponseEntity<DatasetView> created(Dataset parsed) {
        Dataset saved = store.save(parsed);
        return ResponseEntity.created(URI.create("/datasets/" + saved.id())).body(DatasetView.of(saved));
    }

    private Problem tooLarge() {
        return Problem.uploadTooLarge(maxBytes);
    }

    private static Problem notFound(String id) {
        return Problem.notFound("dataset", id);
    }

    /** {@code delimiter} and {@code na} parameters; without a delimiter, a TSV content type means tab. */
    static CsvOptions options(String delimiter, String na, String contentType) {
        CsvOptions options = CsvOptions.defaults().withMissingTokens(na, "na");
        if (delimiter != null) {
            return options.withDelimiter(delimiter, "delimiter");
        }
        return isTsv(contentType) ? options.withDelimiter('\t', "Content-Type") : options;
    }

    private static boolean isTsv(String contentType) {
        if (contentType == null) {
            return false;
        }
        try {
            return MediaType.parseMediaType(contentType).equalsTypeAndSubtype(MediaType.parseMediaType(TEXT_TSV));
        } catch (RuntimeException e) {
            return false; // unparseable: not TSV
        }
    }

    /** Explicit name, else the uploaded file's base name without extension, else "dataset". */
    static String datasetName(String requested, String filename) {
        String name = requested;
        if (name == null || name.isBlank()) {
            name = baseName(filename);
        }
        name = name == null ? "" : name.strip();
        if (name.isEmpty()) {
            return "dataset";
        }
        if (name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw Problem.malformed(
                    "The dataset name must be at most " + MAX_NAME_LENGTH + " characters without control characters.",
                    Violation.field("name", "must be at most " + MAX_NAME_LENGTH + " printable characters"));
        }
        return name;
    }

    private static String baseName(String filename) {
        if (filename == null) {
            return null;
        }
        String base = filename.substring(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
        int dot = base.lastIndexOf('.');
        base = dot > 0 ? base.substring(0, dot) : base;
        return base.length() > MAX_NAME_LENGTH ? base.substring(0, MAX_NAME_LENGTH) : base;
    }

    /** The {@code charset} parameter of a content type (unquoted), else null. */
    private static String declaredCharset(String contentType) {
        String v = contentType == null
                ? null
                : MediaType.parseMediaType(contentType).getParameter("charset");
        return v != null && v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                ? v.substring(1, v.length() - 1)
                : v;
    }

    private static Charset charset(String encoding) {
        if (encoding == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(encoding);
        } catch (RuntimeException e) {
            throw Problem.malformed(
                    "Unsupported charset '" + encoding + "'; send UTF-8.",
                    Violation.field("Content-Type", "unsupported charset"));
        }
    }
}
