package dev.bnserve.console;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium and chromedriver, headless. Both paths are given explicitly so Selenium Manager never looks for
 * (or downloads) a browser. Without them the browser tests are skipped, unless {@code -Dbrowser.required=true} (CI),
 * where they fail.
 */
final class Chromium {

    static final Path BROWSER = Path.of(System.getProperty("browser.binary", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("browser.driver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private Chromium() {}

    static ChromeDriver start() {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            String message = "No Chromium: need " + BROWSER + " and " + DRIVER
                    + " (apt-get install -y chromium chromium-driver); browser tests skipped";
            if (Boolean.getBoolean("browser.required"))
                fail(message.replace("skipped", "required (-Dbrowser.required=true)"));
            Assumptions.abort(message);
        }
        try {
            Path profile = Files.createTempDirectory("bnserve-chromium");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BROWSER.toFile());
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,900",
                    "--user-data-dir=" + profile);
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
            return driver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static WebDriverWait waiting(ChromeDriver driver, int seconds) {
        // The views re-render while jobs progress: an element found a moment ago may be gone.
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(50));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    /** The top {@code height} px of the page at {@code width} px. */
    static Path top(ChromeDriver driver, String name, int width, int height) {
        try {
            Dimension before = driver.manage().window().getSize();
            driver.manage().window().setSize(new Dimension(width, height));
            ((JavascriptExecutor) driver).executeScript("window.scrollTo(0, 0)");
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            driver.manage().window().setSize(before);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole page at {@code width} px (the window grows to the document's height for the shot). */
    static Path screenshot(ChromeDriver driver, String name, int width) {
        try {
            Dimension before = driver.manage().window().getSize();
            driver.manage().window().setSize(new Dimension(width, 900));
            long height = ((Number) ((JavascriptExecutor) driver)
                            .executeScript("return Math.max(document.documentElement.scrollHeight, 600)"))
                    .longValue();
            driver.manage().window().setSize(new Dimension(width, (int) Math.min(height + 140, 6000)));
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
            driver.manage().window().setSize(before);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
