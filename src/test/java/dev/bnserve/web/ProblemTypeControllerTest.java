package dev.bnserve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;

/** Every problem type the code sends is documented at its URI, and nothing else is. */
@WebMvcTest(ProblemTypeController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import(ApiExceptionHandler.class)
class ProblemTypeControllerTest {
    @Autowired
    MockMvc mvc;

    /** The slugs given to problems anywhere in the main sources. */
    static TreeSet<String> slugsInTheCode() throws IOException {
        Pattern slug = Pattern.compile("\"([a-z]+(?:-[a-z]+)+)\",\\s*\"[A-Z][^\"]*\"");
        TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            // ApiOperations pairs OpenAPI tag names with their descriptions in the same shape; tags are not problems.
            for (Path f : files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.endsWith("ApiOperations.java"))
                    .toList()) {
                Matcher m = slug.matcher(Files.readString(f));
                while (m.find()) out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void everyTypeInTheCodeIsDocumented() throws Exception {
        TreeSet<String> slugs = slugsInTheCode();
        assertThat(slugs).isNotEmpty().isEqualTo(new TreeSet<>(ProblemTypeController.TYPES.keySet()));
        for (String s : slugs) {
            String text = mvc.perform(get("/problems/" + s))
                    .andExpect(status().isOk())
                    .andReturn()
                    .getResponse()
                    .getContentAsString();
            assertThat(text).isNotBlank();
        }
        ProblemAssertions.expectProblem(mvc.perform(get("/problems/no-such-type")), 404);
    }
}
