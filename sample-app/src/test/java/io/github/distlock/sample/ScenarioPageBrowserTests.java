package io.github.distlock.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.distlock.testservers.LocalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo page in a real headless Chromium: run each scenario without the lock and with it, and read the results
 * from the page as a newcomer would. Screenshots of the finished runs are kept in
 * {@code target/screenshots/}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; without them the test fails and says how to
 * install them. Selenium Manager is never asked for a driver (the machine may have no internet).
 */
class ScenarioPageBrowserTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    private static InProcessSample sample;

    private WebDriver browser;

    private Path profile;

    // The embedded default, as a newcomer runs it: the JDBC backend on the application's H2 database.
    @BeforeAll
    static void startApplication() {
        sample = InProcessSample.start(Map.of("sample.instance-name", "browser-test"));
    }

    @AfterAll
    static void stopApplication() {
        sample.close();
    }

    @BeforeEach
    void startBrowser() throws IOException {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
            .as("The browser test needs Chromium and its driver: apt-get install -y chromium chromium-driver")
            .isTrue();
        // Selenium Manager runs only to find a driver that was not given: the service names Debian's, so it never runs.
        this.profile = Files.createTempDirectory("distlock-chromium-profile");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
            .addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1200,1900", "--user-data-dir=" + this.profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
        this.browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterEach
    void stopBrowser() {
        if (this.browser != null) {
            this.browser.quit();
        }
        LocalProcess.deleteRecursively(this.profile);
    }

    @Test
    void checkoutWithoutTheLockChargesOrdersTwiceAndWithTheLockOnce() throws IOException {
        this.browser.get(sample.baseUrl() + "/");
        awaitText(By.id("instance"), "Instance ");
        this.browser.findElement(By.id("kind-checkout")).click();
        set("servers", "4");
        set("orders", "20");
        set("payment-time", "20");

        Result unlocked = run("run-unlocked", "checkout-without-lock");
        assertThat(unlocked.number("double-charged")).as("orders charged twice or more without the lock").isPositive();
        assertThat(unlocked.number("lock-waits")).isZero();

        Result locked = run("run-locked", "checkout-with-lock");
        assertThat(locked.number("double-charged")).as("orders charged twice or more with the lock").isZero();
        assertThat(locked.number("extra-charges")).isZero();
        assertThat(locked.number("orders-charged")).isEqualTo(20);
        assertThat(locked.number("lock-waits")).isPositive();
        assertThat(locked.number("failures")).isZero();
        assertThat(this.browser.findElement(By.id("run-lock")).getText()).contains("with the lock (jdbc)");
        assertThat(this.browser.findElements(By.cssSelector("#runs tbody tr"))).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void flashSaleWithoutTheLockOversellsTheLastItemAndWithTheLockSellsItOnce() throws IOException {
        this.browser.get(sample.baseUrl() + "/");
        awaitText(By.id("instance"), "Instance ");
        this.browser.findElement(By.id("kind-flash-sale")).click();
        set("servers", "4");
        set("buyers", "12");
        set("stock", "1");
        set("payment-time", "50");

        Result unlocked = run("run-unlocked", "flash-sale-without-lock");
        assertThat(unlocked.number("oversold")).as("items oversold without the lock").isPositive();

        Result locked = run("run-locked", "flash-sale-with-lock");
        assertThat(locked.number("sold")).isEqualTo(1);
        assertThat(locked.number("oversold")).isZero();
        assertThat(locked.number("stock-left")).isZero();
    }

    @Test
    void aScheduledJobRunsOnEveryServerEachPeriodWithoutTheLockAndOnceWithIt() throws IOException {
        this.browser.get(sample.baseUrl() + "/");
        awaitText(By.id("instance"), "Instance ");
        this.browser.findElement(By.id("kind-scheduled-job")).click();
        set("servers", "3");
        set("periods", "8");
        set("payment-time", "5");

        Result unlocked = run("run-unlocked", "scheduled-job-without-lock");
        assertThat(unlocked.number("periods-run-twice")).as("periods run twice or more without the lock")
            .isEqualTo(8);
        assertThat(unlocked.number("extra-runs")).isEqualTo(16);

        Result locked = run("run-locked", "scheduled-job-with-lock");
        assertThat(locked.number("periods-run-twice")).as("periods run twice or more with the lock").isZero();
        assertThat(locked.number("periods-run")).isEqualTo(8);
        assertThat(locked.number("failures")).isZero();
    }

    @Test
    void aHolderPausedPastItsLeaseChargesAgainWithoutFencingTokensAndIsRefusedWithThem() throws IOException {
        this.browser.get(sample.baseUrl() + "/");
        awaitText(By.id("instance"), "Instance ");
        this.browser.findElement(By.id("kind-paused-holder")).click();
        set("servers", "2");
        set("payment-time", "20");

        Result unlocked = run("run-unlocked", "paused-holder-without-lock");
        assertThat(unlocked.number("double-charged")).as("charged twice without the lock").isEqualTo(1);

        WebElement fencing = this.browser.findElement(By.id("fencing"));
        fencing.click();
        assertThat(fencing.isSelected()).isFalse();
        Result unfenced = run("run-locked", "paused-holder-with-lock-without-fencing");
        assertThat(unfenced.number("double-charged")).as("charged twice with the lock but no fencing token")
            .isEqualTo(1);
        assertThat(unfenced.number("lease-lost")).as("the paused holder told afterwards").isEqualTo(1);
        assertThat(this.browser.findElement(By.id("run-lock")).getText()).contains("no fencing tokens");

        fencing.click();
        Result fenced = run("run-locked", "paused-holder-with-lock-and-fencing");
        assertThat(fenced.number("double-charged")).as("charged twice with fencing tokens").isZero();
        assertThat(fenced.number("orders-charged")).isEqualTo(1);
        assertThat(fenced.number("stale-refused")).as("the paused holder's charge, refused").isEqualTo(1);
    }

    @Test
    void aCrashedHoldersTaskIsWorkedOnTwiceWithoutTheLockAndFinishedOnceAfterItsLeaseWithIt() throws IOException {
        this.browser.get(sample.baseUrl() + "/");
        awaitText(By.id("instance"), "Instance ");
        this.browser.findElement(By.id("kind-crashed-holder")).click();
        set("servers", "2");
        set("payment-time", "40");

        Result unlocked = run("run-unlocked", "crashed-holder-without-lock");
        assertThat(unlocked.number("task-overlaps")).as("servers at work at once without the lock").isEqualTo(1);

        Result locked = run("run-locked", "crashed-holder-with-lock");
        assertThat(locked.number("task-overlaps")).as("servers at work at once with the lock").isZero();
        assertThat(locked.number("completions")).isEqualTo(1);
        String takeover = this.browser.findElement(By.id("takeover")).getText();
        assertThat(Double.parseDouble(takeover.replace(" s", ""))).as("seconds from the crash to the takeover")
            .isGreaterThanOrEqualTo(1.5);
    }

    @Test
    void tenThousandBuyersOversellWithoutProtectionAndBuyExactlyTheStockWithTheLockAndWithEitherLockFreeDesign()
            throws IOException {
        this.browser.get(sample.baseUrl() + "/");
        awaitText(By.id("instance"), "Instance ");
        this.browser.findElement(By.id("kind-flash-sale")).click();
        set("servers", "4");
        set("buyers", "10000");
        set("stock", "20");
        set("payment-time", "20");

        Result unprotected = run("run-unlocked", "flash-sale-10000-without-lock");
        assertThat(unprotected.number("oversold")).as("oversold with neither the lock nor a design").isPositive();
        for (String design : List.of("lock", "conditional-update", "routed")) {
            this.browser.findElement(By.id("design-" + design)).click();
            Result result = run("run-locked", "flash-sale-10000-" + design);
            assertThat(result.number("sold")).as("sold with design %s", design).isEqualTo(20);
            assertThat(result.number("oversold")).as("oversold with design %s", design).isZero();
            assertThat(result.number("failures")).as("failed buys with design %s", design).isZero();
            if (design.equals("lock")) {
                assertThat(result.number("lock-calls")).as("lock-service calls with the lock").isPositive();
            }
            else {
                assertThat(result.number("lock-calls")).as("lock-service calls with design %s", design).isZero();
            }
        }
        assertThat(this.browser.findElements(By.cssSelector("#design-table tbody tr"))).as("designs compared")
            .hasSize(4);
        this.browser.findElement(By.id("design-lock")).click();
    }

    // Clicks a run button, waits until the page shows the new run finished, and keeps a screenshot.
    private Result run(String button, String screenshot) throws IOException {
        WebElement result = this.browser.findElement(By.id("result"));
        String previousRun = result.getDomAttribute("data-run-id");
        this.browser.findElement(By.id(button)).click();
        new WebDriverWait(this.browser, RUN_TIMEOUT).until(driver -> {
            WebElement shown = driver.findElement(By.id("result"));
            String run = shown.getDomAttribute("data-run-id");
            return run != null && !run.equals(previousRun) && "FINISHED".equals(shown.getDomAttribute("data-status"))
                    && driver.findElement(By.id("run-unlocked")).isEnabled();
        });
        assertThat(this.browser.findElement(By.id("error")).isDisplayed()).isFalse();
        assertThat(this.browser.findElement(By.id("run-status")).getText()).isEqualToIgnoringCase("finished");
        byte[] png = ((TakesScreenshot) this.browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(screenshot + ".png"), png);
        return new Result(this.browser);
    }

    private void set(String field, String value) {
        WebElement input = this.browser.findElement(By.id(field));
        input.clear();
        input.sendKeys(value);
    }

    private void awaitText(By element, String text) {
        new WebDriverWait(this.browser, RUN_TIMEOUT)
            .until(driver -> driver.findElement(element).getText().startsWith(text));
    }

    private record Result(WebDriver browser) {

        int number(String id) {
            return Integer.parseInt(this.browser.findElement(By.id(id)).getText().trim());
        }

    }

}
