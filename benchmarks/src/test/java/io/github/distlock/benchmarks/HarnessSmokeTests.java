package io.github.distlock.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.github.distlock.benchmarks.contenders.Contenders;
import io.github.distlock.benchmarks.harness.ComparisonHarness;
import io.github.distlock.benchmarks.harness.ComparisonResult;
import io.github.distlock.benchmarks.harness.Fields;
import io.github.distlock.benchmarks.harness.Scenario;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the whole comparison with tiny counts (the {@code smoke} profile): a real redis-server, one JVM per
 * contender (the PostgreSQL ones, this project's JDBC backend, its floor, ShedLock and Spring Integration, against a
 * real PostgreSQL server), every scenario, the censuses (MONITOR on Redis, transactions on PostgreSQL) and both
 * scale checks. It checks that the harness works, not how fast
 * anything is.
 */
class HarnessSmokeTests {

    @Test
    void everyContenderProducesAResultInEveryScenarioWithoutOverlaps(@TempDir Path logs) {
        ComparisonResult result = new ComparisonHarness(Profile.SMOKE.comparison(), logs, line -> { }).run();

        assertThat(result.failures()).isEmpty();
        for (Contenders contender : Contenders.all()) {
            for (Scenario scenario : Scenario.values()) {
                assertThat(result.passes(scenario, contender)).as("%s, %s", contender.id(), scenario.title())
                    .hasSize(1);
            }
            if (!contender.usesPostgres()) {
                assertThat(result.census(Scenario.ONE_THREAD, contender)).as("census of %s", contender.id())
                    .isNotNull();
                assertThat(result.census(Scenario.CONTENDED, contender)).as("census of %s", contender.id())
                    .isNotNull();
                assertThat(result.census(Scenario.ONE_THREAD, contender).sentByClients())
                    .as("commands the census saw %s send", contender.id()).isNotEmpty();
                assertThat(result.passes(Scenario.ONE_THREAD, contender).get(0).commandTotal())
                    .as("Redis commands counted for %s", contender.id()).isPositive();
                assertThat(result.instances().get(contender)).as("instances passes of %s", contender.id())
                    .hasSize(2)
                    .allSatisfy(pass -> assertThat(pass.getLong("redisCpuMicros")).isPositive());
                Fields flashSale = result.flashSales().get(contender);
                assertThat(flashSale).as("flash sale of %s", contender.id()).isNotNull();
                assertThat(flashSale.getLong("grants")).as("flash-sale grants of %s", contender.id())
                    .isEqualTo(Profile.SMOKE.comparison().flashSaleThreads());
                assertThat(flashSale.getLong("overlaps")).as("flash-sale overlaps of %s", contender.id()).isZero();
            }
            else {
                for (Scenario scenario : List.of(Scenario.ONE_THREAD, Scenario.CONTENDED)) {
                    assertThat(result.transactionCensus(scenario, contender))
                        .as("transaction census of %s, %s", contender.id(), scenario.title())
                        .isNotNull()
                        .satisfies(census -> assertThat(census.perOperation()).isGreaterThanOrEqualTo(1.0));
                }
                assertThat(result.ratioToFloor(Scenario.ONE_THREAD, contender))
                    .as("ratio of %s to the PostgreSQL floor", contender.id()).isPositive();
            }
            Fields contended = result.passes(Scenario.CONTENDED, contender).get(0);
            assertThat(contended.getLong("overlaps")).as("overlaps of %s", contender.id()).isZero();
            assertThat(contended.getLong("grants")).as("grants of %s", contender.id()).isPositive();
        }
        assertThat(result.scale()).isNotNull();
        assertThat(result.scale().failures()).isZero();
        assertThat(result.scale().millisUntilKeysBack()).as("lock keys expire after the token retention")
            .isNotNegative();
        assertThat(result.jdbcScale()).isNotNull();
        assertThat(result.jdbcScale().failures()).isZero();
        assertThat(result.jdbcScale().rowsAfterRun()).isGreaterThanOrEqualTo(result.jdbcScale().keys());
        assertThat(Report.markdown(Map.of(), result, List.of()))
            .contains("## Ratios to the floor", Contenders.REDISSON.title(), "## The JDBC backend on PostgreSQL",
                    "## Other instances", "## Flash sale", "fairness", "## PostgreSQL: this project's JDBC backend",
                    Contenders.PG_SHEDLOCK.title(), Contenders.PG_SPRING_INTEGRATION.title(),
                    "transactions per lock+unlock");
    }

}
