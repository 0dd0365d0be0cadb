package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.predict.PredictionService;
import dev.bnserve.problem.Violation;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Which requests the filter answers itself, and that it leaves every other one to the MVC controller untouched. */
class PredictFastPathTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final byte[] BODY = "{\"features\": [1, 2]}".getBytes(StandardCharsets.UTF_8);
    static final byte[] ANSWER = "{\"model\":\"m-1\",\"prediction\":0.5}".getBytes(StandardCharsets.UTF_8);

    final PredictionCodec service = mock(PredictionCodec.class);
    final PredictFastPath filter = new PredictFastPath(
            service,
            new ApiExceptionHandler(BnserveProperties.defaults()),
            PredictFastPathConfiguration.defaultSecurityHeaders());

    static MockHttpServletRequest post(String uri, String contentType, String accept) {
        MockHttpServletRequest r = new MockHttpServletRequest("POST", uri);
        if (contentType != null) r.setContentType(contentType);
        if (accept != null) r.addHeader("Accept", accept);
        r.setContent(BODY);
        return r;
    }

    /** Runs the filter; returns the chain (its request is non-null if the filter passed the request on). */
    MockFilterChain run(MockHttpServletRequest request, MockHttpServletResponse response) throws Exception {
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        return chain;
    }

    @Test
    void answersModelAndDefaultPredictionsItself() throws Exception {
        when(service.answer(eq("m-01abc_X"), any())).thenReturn(ANSWER);
        when(service.answer(isNull(), any())).thenReturn(ANSWER);
        for (String uri : new String[] {"/models/m-01abc_X/predict", "/predict"}) {
            for (String[] headers : new String[][] {
                {"application/json", null},
                {"application/json;charset=UTF-8", "*/*"},
                {"APPLICATION/JSON", "application/json"}
            }) {
                MockHttpServletResponse response = new MockHttpServletResponse();
                MockFilterChain chain = run(post(uri, headers[0], headers[1]), response);
                assertThat(chain.getRequest())
                        .as(uri + " " + String.join(",", String.valueOf(headers[0]), String.valueOf(headers[1])))
                        .isNull();
                assertThat(response.getStatus()).isEqualTo(200);
                assertThat(response.getContentType()).isEqualTo("application/json");
                assertThat(response.getContentAsByteArray()).isEqualTo(ANSWER);
            }
        }
        verify(service, org.mockito.Mockito.times(3)).answer(eq("m-01abc_X"), eq(BODY));
    }

    @Test
    void leavesEverythingElseToTheController() throws Exception {
        MockHttpServletRequest[] others = {
            post("/models/m-1/predict", "text/csv", null), // 415 is MVC's to give
            post("/models/m-1/predict", null, null),
            post("/models/m-1/predict", "application/json", "text/csv"), // 406 likewise
            post("/models/m-1/predict", "application/json", "application/json, */*"),
            post("/models/m-1/predict", "application/jsonx", null),
            post("/models/m%2D1/predict", "application/json", null), // needs decoding
            post("/models/m.1/predict", "application/json", null),
            post("/models//predict", "application/json", null),
            post("/models/m-1/predict/", "application/json", null),
            post("/models/a/b/predict", "application/json", null),
            post("/predict/", "application/json", null),
            post("/models", "application/json", null),
        };
        MockHttpServletRequest get = new MockHttpServletRequest("GET", "/models/m-1/predict");
        for (MockHttpServletRequest r : java.util.stream.Stream.concat(
                        java.util.Arrays.stream(others), java.util.stream.Stream.of(get))
                .toList()) {
            MockFilterChain chain = run(r, new MockHttpServletResponse());
            assertThat(chain.getRequest())
                    .as(r.getMethod() + " " + r.getRequestURI() + " " + r.getContentType() + " "
                            + r.getHeader("Accept"))
                    .isSameAs(r);
        }
        verify(service, never()).answer(any(), any());
    }

    @Test
    void rendersServiceRefusalsAsTheAdviceDoes() throws Exception {
        when(service.answer(eq("m-1"), any()))
                .thenThrow(PredictionService.invalid(
                        "Expected 4 values, got 2.",
                        java.util.List.of(Violation.field("features", "expected 4 values"))));
        MockHttpServletResponse response = new MockHttpServletResponse();
        assertThat(run(post("/models/m-1/predict", "application/json", null), response)
                        .getRequest())
                .isNull();
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(response.getContentType()).isEqualTo("application/problem+json");
        JsonNode problem = JSON.readTree(response.getContentAsByteArray());
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        assertThat(problem.get("detail").asString()).isEqualTo("Expected 4 values, got 2.");
        assertThat(problem.get("instance").asString()).isEqualTo("/models/m-1/predict");
        assertThat(problem.at("/errors/0/field").asString()).isEqualTo("features");
    }

    @Test
    void anEmptyBodyIsA400LikeAMissingRequestBody() throws Exception {
        PredictionService predictions = mock(PredictionService.class);
        PredictionCodec codec = new PredictionCodec(
                predictions,
                JSON,
                BnserveProperties.defaults(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        PredictFastPath real = new PredictFastPath(codec, new ApiExceptionHandler(BnserveProperties.defaults()), null);
        MockHttpServletRequest r = post("/predict", "application/json", null);
        r.setContent(new byte[0]);
        MockHttpServletResponse response = new MockHttpServletResponse();
        real.doFilter(r, response, new MockFilterChain());
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(JSON.readTree(response.getContentAsByteArray()).get("detail").asString())
                .isEqualTo("The request body is missing.");
        verify(predictions, never()).predict(any(), any());
    }
}
