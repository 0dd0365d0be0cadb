package dev.bnserve.web;

import static dev.bnserve.web.ProblemAssertions.assertNoInternals;
import static dev.bnserve.web.ProblemAssertions.expectProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.mockito.Mockito.doThrow;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.bnserve.data.DatasetStore;
import dev.bnserve.data.FileDatasetStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@WebMvcTest(
        controllers = {DatasetController.class, DatasetControllerTest.ProbeController.class},
        properties = {"bnserve.limits.max-upload-bytes=30000", "bnserve.limits.max-rows=1000"})
@Import({ApiExceptionHandler.class, DatasetControllerTest.StoreConfig.class, DatasetControllerTest.ProbeController.class
})
class DatasetControllerTest {

    private static final MediaType CSV = MediaType.parseMediaType("text/csv");

    @TempDir
    static Path dataDir;

    @TestConfiguration(proxyBeanMethods = false)
    static class StoreConfig {
        @Bean
        DatasetStore datasetStore() {
            FileDatasetStore store = new FileDatasetStore(dataDir);
            store.load();
            return store;
        }
    }

    /** Test-only endpoints to exercise the advice on data-bound JSON bodies, parameters and unexpected failures. */
    @RestController
    static class ProbeController {
        record ProbeRequest(String label, int epochs, List<Integer> hidden) {}

        @PostMapping("/probe")
        ProbeRequest echo(@RequestBody ProbeRequest request) {
            return request;
        }

        @GetMapping("/probe/number")
        int number(@RequestParam int n) {
            return n;
        }
    }

    @Autowired
    MockMvc mvc;

    @MockitoSpyBean
    DatasetStore store;

    // ---------------------------------------------------------------- happy paths

    @Test
    void uploadRawCsvThenGetListAndDelete() throws Exception {
        MvcResult created = mvc.perform(
                        post("/datasets").param("name", "iris").contentType(CSV).content(resource("iris")))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", matchesPattern("/datasets/d-[0-9a-z]{26}")))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
                .andExpect(jsonPath("$.id", matchesPattern("d-[0-9a-z]{26}")))
                .andExpect(jsonPath("$.name").value("iris"))
                .andExpect(jsonPath("$.rows").value(150))
                .andExpect(jsonPath("$.created").isString())
                .andExpect(jsonPath("$.columns", hasSize(5)))
                .andExpect(jsonPath("$.columns[0].name").value("sepal_length"))
                .andExpect(jsonPath("$.columns[0].type").value("numeric"))
                .andExpect(jsonPath("$.columns[0].mean", closeTo(5.8433, 1e-4)))
                .andExpect(jsonPath("$.columns[0].std", closeTo(0.8253, 1e-4)))
                .andExpect(jsonPath("$.columns[0].min").value(4.3))
                .andExpect(jsonPath("$.columns[0].max").value(7.9))
                .andExpect(jsonPath("$.columns[0].distinct").doesNotExist())
                .andExpect(jsonPath("$.columns[4].type").value("categorical"))
                .andExpect(jsonPath("$.columns[4].distinct").value(3))
                .andExpect(jsonPath("$.columns[4].values[0]").value("setosa"))
                .andExpect(jsonPath("$.columns[4].mean").doesNotExist())
                .andReturn();
        String location = created.getResponse().getHeader("Location");
        String id = location.substring("/datasets/".length());

        mvc.perform(get(location))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.id").value(id))
                .andExpect(jsonPath("$.columns[4].distinct").value(3));
        mvc.perform(get("/datasets"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[?(@.id == '" + id + "')].rows").value(150))
                .andExpect(
                        jsonPath("$[?(@.id == '" + id + "')].columns[4].values").doesNotExist());
        mvc.perform(delete(location)).andExpect(status().isNoContent());
        expectProblem(mvc.perform(get(location)), 404).andExpect(jsonPath("$.detail", containsString(id)));
        expectProblem(mvc.perform(delete(location)), 404);
    }

    @Test
    void aDeclaredLatin1CharsetIsHonoured() throws Exception {
        byte[] latin1 =
                "città,x\nMünchen,1\nZürich,2\nGenève,3\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        mvc.perform(post("/datasets").contentType("text/csv;charset=ISO-8859-1").content(latin1))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.columns[0].name").value("città"))
                .andExpect(jsonPath("$.columns[0].values[0]").value("Genève"));
        // the same bytes undeclared are not UTF-8: refused naming the line, not silently mangled
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content(latin1)), 400)
                .andExpect(jsonPath("$.errors[0].message", containsString("not valid UTF-8")));
    }

    /** Uploads iris under {@code name}; returns the new id. */
    private String uploadIris(String name) throws Exception {
        return mvc.perform(
                        post("/datasets").param("name", name).contentType(CSV).content(resource("iris")))
                .andExpect(status().isCreated())
                .andReturn()
                .getResponse()
                .getHeader("Location")
                .substring("/datasets/".length());
    }

    @Test
    void aNameWorksWhereAnIdDoesUntilTwoDatasetsShareIt() throws Exception {
        String name = "by-name-" + System.nanoTime();
        String first = uploadIris(name);
        mvc.perform(get("/datasets/" + name))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.id").value(first));

        String second = uploadIris(name);
        // ambiguous: a 409 naming both ids, and a delete by the name removes neither
        expectProblem(mvc.perform(get("/datasets/" + name)), 409)
                .andExpect(jsonPath("$.detail", containsString(first)))
                .andExpect(jsonPath("$.detail", containsString(second)));
        expectProblem(mvc.perform(delete("/datasets/" + name)), 409);
        mvc.perform(get("/datasets/" + first)).andExpect(status().isOk());
        mvc.perform(get("/datasets/" + second)).andExpect(status().isOk());

        // ids still work, and once one is gone the name is unambiguous again
        mvc.perform(delete("/datasets/" + first)).andExpect(status().isNoContent());
        mvc.perform(get("/datasets/" + name)).andExpect(jsonPath("$.id").value(second));
        mvc.perform(delete("/datasets/" + name)).andExpect(status().isNoContent());
        expectProblem(mvc.perform(get("/datasets/" + second)), 404);
    }

    @Test
    void rawUploadWithoutNameIsCalledDatasetAndPlainTextOrOctetStreamAreAccepted() throws Exception {
        mvc.perform(post("/datasets").contentType(MediaType.TEXT_PLAIN).content("a,b\n1,2\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("dataset"));
        mvc.perform(post("/datasets")
                        .contentType(MediaType.APPLICATION_OCTET_STREAM)
                        .content("a,b\n1,2\n"))
                .andExpect(status().isCreated());
    }

    @Test
    void multipartUploadTakesItsNameFromTheFile() throws Exception {
        MockMultipartFile file = new MockMultipartFile("file", "iris.csv", "text/csv", resource("iris"));
        mvc.perform(multipart("/datasets").file(file))
                .andExpect(status().isCreated())
                .andExpect(header().string("Location", matchesPattern("/datasets/d-[0-9a-z]{26}")))
                .andExpect(jsonPath("$.name").value("iris"))
                .andExpect(jsonPath("$.rows").value(150));
        mvc.perform(multipart("/datasets").file(file).param("name", "flowers"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.name").value("flowers"));
    }

    // ---------------------------------------------------------------- missing values, dates, delimiters, notes

    @Test
    void missingTokensKeepANumericColumnNumeric() throws Exception {
        mvc.perform(post("/datasets")
                        .contentType(CSV)
                        .content("x,c\n1,a\nNA,b\nN/A,NA\nnull,b\nNone,a\nNaN,b\n,a\n8,a\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.columns[0].type").value("numeric"))
                .andExpect(jsonPath("$.columns[0].missing").value(6))
                .andExpect(jsonPath("$.columns[0].mean").value(4.5))
                .andExpect(jsonPath("$.columns[1].type").value("categorical"))
                .andExpect(jsonPath("$.columns[1].missing").value(1))
                .andExpect(jsonPath("$.columns[1].distinct").value(2));
    }

    @Test
    void naParameterReplacesTheTokens() throws Exception {
        mvc.perform(post("/datasets")
                        .param("na", "?,-,missing")
                        .contentType(CSV)
                        .content("x,c\n1,NA\n?,b\n-,MISSING\n,a\n4,?\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.columns[0].type").value("numeric"))
                .andExpect(jsonPath("$.columns[0].missing").value(3))
                .andExpect(jsonPath("$.columns[1].missing").value(2))
                .andExpect(jsonPath("$.columns[1].values", contains("NA", "a", "b")));
        expectProblem(
                        mvc.perform(post("/datasets")
                                .param("na", "")
                                .contentType(CSV)
                                .content("x\n1\nNaN\n")),
                        400)
                .andExpect(jsonPath("$.errors[0].row").value(3))
                .andExpect(jsonPath("$.errors[0].column").value("x"));
        expectProblem(
                        mvc.perform(post("/datasets")
                                .param("na", "x".repeat(101))
                                .contentType(CSV)
                                .content("x\n1\n")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("na"));
    }

    @Test
    void dateColumnsAreSummarizedAsIsoText() throws Exception {
        mvc.perform(post("/datasets")
                        .contentType(CSV)
                        .content("day,at,mixed\n1982-01-01,2012-01-01T13:00:00+02:00,2012-01-01\n"
                                + "1970-01-01,2012-01-01T13:00:00Z,soon\nNA,,2012-01-02\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.columns[0].type").value("date"))
                .andExpect(jsonPath("$.columns[0].missing").value(1))
                .andExpect(jsonPath("$.columns[0].min").value("1970-01-01"))
                .andExpect(jsonPath("$.columns[0].max").value("1982-01-01"))
                .andExpect(jsonPath("$.columns[0].mean").doesNotExist())
                .andExpect(jsonPath("$.columns[0].distinct").doesNotExist())
                .andExpect(jsonPath("$.columns[1].type").value("date"))
                .andExpect(jsonPath("$.columns[1].min").value("2012-01-01T11:00:00Z"))
                .andExpect(jsonPath("$.columns[1].max").value("2012-01-01T13:00:00Z"))
                .andExpect(jsonPath("$.columns[2].type").value("categorical"))
                .andExpect(jsonPath("$.columns[2].distinct").value(3));
    }

    @Test
    void delimiterIsDetectedAndReported() throws Exception {
        for (String sep : List.of(";", "\t", "|", ",")) {
            mvc.perform(post("/datasets").contentType(CSV).content("a" + sep + "b\n1" + sep + "x\n2" + sep + "y\n"))
                    .andExpect(status().isCreated())
                    .andExpect(jsonPath("$.delimiter").value(sep))
                    .andExpect(jsonPath("$.columns", hasSize(2)))
                    .andExpect(jsonPath("$.columns[0].type").value("numeric"));
        }
        MockMultipartFile file = new MockMultipartFile("file", "semi.csv", "text/csv", "a;b\n1;2\n".getBytes());
        mvc.perform(multipart("/datasets").file(file))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.delimiter").value(";"))
                .andExpect(jsonPath("$.columns", hasSize(2)));
    }

    @Test
    void explicitDelimiterByParameterOrTsvContentType() throws Exception {
        mvc.perform(post(URI.create("/datasets?delimiter=%3B")).contentType(CSV).content("a;b,c\n1;2,5\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.delimiter").value(";"))
                .andExpect(jsonPath("$.columns[1].name").value("b,c"));
        for (String tab : List.of("%09", "%5Ct", "tab")) {
            mvc.perform(post(URI.create("/datasets?delimiter=" + tab))
                            .contentType(CSV)
                            .content("a\tb\n1\t2\n"))
                    .andExpect(status().isCreated())
                    .andExpect(jsonPath("$.delimiter").value("\t"));
        }
        mvc.perform(post("/datasets")
                        .contentType(MediaType.parseMediaType("text/tab-separated-values; charset=utf-8"))
                        .content("a\tb,c\n1\t2\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.delimiter").value("\t"))
                .andExpect(jsonPath("$.columns[1].name").value("b,c"));
        MockMultipartFile tsv =
                new MockMultipartFile("file", "t.tsv", "text/tab-separated-values", "a\tb\n1\t2\n".getBytes());
        mvc.perform(multipart("/datasets").file(tsv).param("delimiter", "tab"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.delimiter").value("\t"));
    }

    @Test
    void explicitDelimiterGivingOneColumnIsA400NamingDelimiter() throws Exception {
        expectProblem(
                        mvc.perform(post("/datasets")
                                .param("delimiter", ";")
                                .contentType(CSV)
                                .content("a,b,c\n1,2,3\n")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("delimiter"))
                .andExpect(jsonPath("$.detail", containsString("delimiter=,")));
        expectProblem(
                        mvc.perform(post("/datasets")
                                .contentType(MediaType.parseMediaType("text/tab-separated-values"))
                                .content("a;b\n1;2\n")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("Content-Type"))
                .andExpect(jsonPath("$.detail", containsString("delimiter=;")));
    }

    @Test
    void unknownDelimiterIsA400NamingIt() throws Exception {
        expectProblem(
                        mvc.perform(post("/datasets")
                                .param("delimiter", "colon")
                                .contentType(CSV)
                                .content("a\n1\n")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("delimiter"))
                .andExpect(jsonPath("$.detail", containsString("'colon'")));
    }

    @Test
    void constantAndAllMissingColumnsAreNoted() throws Exception {
        mvc.perform(post("/datasets")
                        .contentType(CSV)
                        .content("n,c,t,e,v\n1,a,2012-01-01,,1\nNA,a,NA,NA,2\n1,,2012-01-01,,3\n"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.columns[0].note").value("constant"))
                .andExpect(jsonPath("$.columns[1].note").value("constant"))
                .andExpect(jsonPath("$.columns[2].note").value("constant"))
                .andExpect(jsonPath("$.columns[3].note").value("all missing"))
                .andExpect(jsonPath("$.columns[3].missing").value(3))
                .andExpect(jsonPath("$.columns[3].type").value("numeric"))
                .andExpect(jsonPath("$.columns[4].note").doesNotExist());
    }

    @Test
    void carsUploads() throws Exception {
        mvc.perform(post("/datasets").contentType(CSV).content(resource("cars")))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.rows").value(406))
                .andExpect(jsonPath("$.delimiter").value(","))
                .andExpect(jsonPath("$.columns[?(@.name == 'Year')].type").value("date"))
                .andExpect(jsonPath("$.columns[?(@.name == 'Year')].min").value("1970-01-01"))
                .andExpect(jsonPath("$.columns[?(@.name == 'Year')].max").value("1982-01-01"))
                .andExpect(jsonPath("$.columns[?(@.name == 'Horsepower')].type").value("numeric"))
                .andExpect(
                        jsonPath("$.columns[?(@.name == 'Horsepower')].missing").value(6))
                .andExpect(jsonPath("$.columns[?(@.name == 'Miles_per_Gallon')].missing")
                        .value(8))
                .andExpect(jsonPath("$.columns[?(@.name == 'Name')].type").value("categorical"))
                .andExpect(jsonPath("$.columns[?(@.name == 'Origin')].distinct").value(3));
    }

    // ---------------------------------------------------------------- 4xx

    @Test
    void raggedRowIsA400NamingTheRow() throws Exception {
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content("a,b,c\n1,2,3\n4,5\n")), 400)
                .andExpect(jsonPath("$.title").value("Invalid CSV"))
                .andExpect(jsonPath("$.errors", hasSize(1)))
                .andExpect(jsonPath("$.errors[0].row").value(3))
                .andExpect(jsonPath("$.errors[0].column").doesNotExist())
                .andExpect(jsonPath("$.errors[0].field").doesNotExist())
                .andExpect(jsonPath("$.errors[0].message").value("row 3 has 2 fields, header has 3"));
    }

    @Test
    void nonFiniteCellIsA400NamingRowAndColumn() throws Exception {
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content("x,y\n1,2\n3,Infinity\n")), 400)
                .andExpect(jsonPath("$.errors[0].row").value(3))
                .andExpect(jsonPath("$.errors[0].column").value("y"))
                .andExpect(jsonPath("$.errors[0].message", containsString("'Infinity'")));
    }

    @Test
    void headerProblemsNameTheColumnIndex() throws Exception {
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content("a,b,a\n1,2,3\n")), 400)
                .andExpect(jsonPath("$.errors[0].row").value(1))
                .andExpect(jsonPath("$.errors[0].column").value("3"));
    }

    @Test
    void emptyBodyIsA400() throws Exception {
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content("")), 400)
                .andExpect(jsonPath("$.errors[0].row").value(1))
                .andExpect(jsonPath("$.errors[0].message", containsString("empty")));
    }

    @Test
    void uploadOverTheByteLimitIsA413NamingTheLimit() throws Exception {
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content(resource("breast_cancer"))), 413)
                .andExpect(jsonPath("$.detail", containsString("30000 bytes")))
                .andExpect(jsonPath("$.detail", containsString("bnserve.limits.max-upload-bytes")));
        MockMultipartFile big = new MockMultipartFile("file", "bc.csv", "text/csv", resource("breast_cancer"));
        expectProblem(mvc.perform(multipart("/datasets").file(big)), 413);
    }

    @Test
    void tooManyRowsIsA413() throws Exception {
        String csv = "a\n" + "1\n".repeat(1001);
        expectProblem(mvc.perform(post("/datasets").contentType(CSV).content(csv)), 413)
                .andExpect(jsonPath("$.detail", containsString("bnserve.limits.max-rows")))
                .andExpect(jsonPath("$.errors[0].row").value(1002));
    }

    @Test
    void multipartWithoutFilePartIsA400() throws Exception {
        MockMultipartFile other = new MockMultipartFile("data", "iris.csv", "text/csv", resource("iris"));
        expectProblem(mvc.perform(multipart("/datasets").file(other)), 400)
                .andExpect(jsonPath("$.errors[0].field").value("file"));
    }

    @Test
    void overlongNameIsA400OnTheNameField() throws Exception {
        expectProblem(
                        mvc.perform(post("/datasets")
                                .param("name", "n".repeat(201))
                                .contentType(CSV)
                                .content("a\n1\n")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("name"));
    }

    @Test
    void unsupportedMediaTypeIsA415() throws Exception {
        expectProblem(
                        mvc.perform(post("/datasets")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{}")),
                        415)
                .andExpect(jsonPath("$.detail", containsString("text/csv")));
    }

    @Test
    void wrongMethodIsA405() throws Exception {
        expectProblem(mvc.perform(put("/datasets").contentType(CSV).content("a\n1\n")), 405);
    }

    @Test
    void unknownOrMalformedIdsAre404() throws Exception {
        expectProblem(mvc.perform(get("/datasets/d-00000000000000000000000000")), 404);
        expectProblem(mvc.perform(get("/datasets/..%2F..%2Fetc")), 404);
        expectProblem(mvc.perform(delete("/datasets/not-an-id")), 404);
    }

    @Test
    void unknownPathIsA404Problem() throws Exception {
        expectProblem(mvc.perform(get("/nothing-here")), 404);
    }

    @Test
    void malformedJsonIsA400WithoutInternals() throws Exception {
        String body = expectProblem(
                        mvc.perform(post("/probe")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"label\": ")),
                        400)
                .andExpect(jsonPath("$.detail", containsString("JSON")))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertNoInternals(body);
    }

    @Test
    void wrongJsonTypeNamesTheField() throws Exception {
        String body = expectProblem(
                        mvc.perform(post("/probe")
                                .contentType(MediaType.APPLICATION_JSON)
                                .content("{\"label\": \"x\", \"epochs\": 3, \"hidden\": [1, \"wide\"]}")),
                        400)
                .andExpect(jsonPath("$.errors[0].field").value("hidden[1]"))
                .andExpect(jsonPath("$.errors[0].message").value("must be a number"))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertNoInternals(body);
    }

    @Test
    void badQueryParameterIsA400() throws Exception {
        expectProblem(mvc.perform(get("/probe/number").param("n", "many")), 400);
        expectProblem(mvc.perform(get("/probe/number")), 400);
    }

    // ---------------------------------------------------------------- 500

    @Test
    void unexpectedFailureIsA500RevealingNothing() throws Exception {
        doThrow(new IllegalStateException("secret at /var/lib/bnserve in dev.bnserve.data.Whatever"))
                .when(store)
                .list();
        String body = expectProblem(mvc.perform(get("/datasets")), 500)
                .andExpect(jsonPath("$.title").value("Internal Server Error"))
                .andExpect(jsonPath("$.detail").value(ApiExceptionHandler.INTERNAL_DETAIL))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertNoInternals(body);
        assertThat(body).doesNotContain("secret", "/var/lib", "IllegalState");
    }

    // ---------------------------------------------------------------- helpers

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DatasetControllerTest.class.getResourceAsStream("/data/" + name + ".csv")) {
            assertThat(in).isNotNull();
            return in.readAllBytes();
        }
    }
}
