package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.ResultActions;

/** What every error answer of the controller slices must be: a problem+json document revealing no internals. */
final class ProblemAssertions {
    private ProblemAssertions() {}

    static ResultActions expectProblem(ResultActions result, int status) throws Exception {
        return result.andExpect(status().is(status))
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON_VALUE))
                .andExpect(jsonPath("$.status").value(status))
                .andExpect(jsonPath("$.title").isString())
                .andExpect(jsonPath("$.detail").isString());
    }

    static void assertNoInternals(String body) {
        assertThat(body).doesNotContain("Exception", "java.", "tools.jackson", "dev.bnserve", "\tat ", "at dev.");
    }
}
