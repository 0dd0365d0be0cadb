package dev.bnserve.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.TestHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** With an API key set, the console is refused until the key is entered, then works; the page itself is public. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class ConsoleApiKeyBrowserTest {

    static final String KEY = "console-test-key-7f3a";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;

    @TempDir
    static Path files;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("bnserve.data-dir", () -> dataDir.toString());
        registry.add("bnserve.security.api-key", () -> KEY);
    }

    @LocalServerPort
    int port;

    static ChromeDriver driver;

    @BeforeAll
    static void browser() {
        driver = Chromium.start();
    }

    @AfterAll
    static void quit() {
        if (driver != null) driver.quit();
    }

    @Test
    void refusedBeforeTheKeyWorksAfter() throws Exception {
        Path iris = files.resolve("iris.csv");
        Files.write(iris, TestHttp.resource("iris"));
        // The page and its modules load without the key, and carry the CSP.
        HttpResponse<String> page =
                HTTP.send(HttpRequest.newBuilder(URI.create(url("/"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(
                        csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
        assertThat(page.body()).doesNotContain(KEY);

        driver.get(url("/"));
        Chromium.waiting(driver, 10).until(ExpectedConditions.presenceOfElementLocated(By.id("file")));
        driver.findElement(By.id("file")).sendKeys(iris.toString());
        WebElement dialog =
                Chromium.waiting(driver, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-dialog")));
        Chromium.screenshot(driver, "scenario3-key-dialog", 1280);
        driver.findElement(By.id("key-cancel")).click();
        WebElement refused = Chromium.waiting(driver, 10).until(d -> {
            WebElement e = d.findElement(By.id("upload-error"));
            return e.getText().isBlank() ? null : e;
        });
        assertThat(refused.getText()).isNotBlank();
        assertThat(get("/datasets")).as("nothing stored without the key").isEmpty();
        assertThat(dialog.isDisplayed()).isFalse();

        // A wrong key is refused too, and the console asks again; the right one goes through.
        driver.findElement(By.id("file")).sendKeys(iris.toString());
        Chromium.waiting(driver, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-dialog")));
        driver.findElement(By.id("api-key")).sendKeys("wrong-key");
        driver.findElement(By.id("key-save")).click();
        Chromium.waiting(driver, 10)
                .until(d -> !d.findElement(By.id("upload-error")).getText().isBlank());
        assertThat(get("/datasets")).isEmpty();

        driver.findElement(By.id("file")).sendKeys(iris.toString());
        Chromium.waiting(driver, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("key-dialog")));
        driver.findElement(By.id("api-key")).clear();
        driver.findElement(By.id("api-key")).sendKeys(KEY);
        driver.findElement(By.id("key-save")).click();
        Chromium.waiting(driver, 20).until(ExpectedConditions.presenceOfElementLocated(By.id("train-form")));
        assertThat(get("/datasets")).hasSize(1);
        assertThat(driver.executeScript("return sessionStorage.getItem('bnserve.apiKey')"))
                .isEqualTo(KEY);

        // The kept key trains without asking again, and the live view's SSE (fetch with the header) ends ready.
        driver.findElement(By.id("train-submit")).click();
        Chromium.waiting(driver, 180)
                .until(ExpectedConditions.attributeToBe(By.id("model-status"), "data-status", "ready"));
        assertThat(driver.findElement(By.id("key-dialog")).isDisplayed()).isFalse();
        assertThat(get("/models")).hasSize(1);
        Chromium.screenshot(driver, "scenario3-with-key", 1280);
    }

    String url(String path) {
        return "http://localhost:" + port + path;
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> r =
                HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
