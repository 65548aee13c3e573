package io.github.distlock.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.github.distlock.core.engine.LockEngine;
import io.github.distlock.core.inmemory.InMemoryLeaseBackend;
import io.github.distlock.spring.interceptor.DistributedLockInterceptor;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layering rules of the architecture, checked against the main classes of every module on this test's
 * classpath.
 */
class LayeringRulesTests {

    private static final String[] BACKEND_PACKAGES = { "io.github.distlock.redis..", "io.github.distlock.jdbc..",
            "io.github.distlock.zookeeper..", "io.github.distlock.etcd.." };

    private static final JavaClasses mainClasses = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.github.distlock");

    @Test
    void mainClassesOfEveryModuleAreImportedAndTestsAreNot() {
        // Guards against rules passing vacuously because a module's classes were not found.
        assertThat(mainClasses.contain(LockEngine.class)).isTrue();
        assertThat(mainClasses.contain(InMemoryLeaseBackend.class)).isTrue();
        assertThat(mainClasses.contain(DistributedLockInterceptor.class)).isTrue();
        assertThat(mainClasses.contain(DistributedLockAutoConfiguration.class)).isTrue();
        assertThat(mainClasses.contain(io.github.distlock.redis.RedisLeaseBackend.class)).isTrue();
        assertThat(mainClasses.contain(io.github.distlock.jdbc.JdbcLeaseBackend.class)).isTrue();
        assertThat(mainClasses.contain(io.github.distlock.zookeeper.ZooKeeperLeaseBackend.class)).isTrue();
        assertThat(mainClasses.contain(io.github.distlock.etcd.EtcdLeaseBackend.class)).isTrue();
        assertThat(mainClasses.contain(io.github.distlock.testkit.LeaseBackendContractTests.class)).isTrue();
        assertThat(mainClasses.contain(io.github.distlock.testservers.RedisServer.class)).isTrue();
        assertThat(mainClasses.contain(LayeringRulesTests.class)).isFalse();
    }

    @Test
    void coreImportsNoSpring() {
        noClasses().that()
            .resideInAPackage("io.github.distlock.core..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.springframework..")
            .check(mainClasses);
    }

    @Test
    void coreImportsNoBackend() {
        noClasses().that()
            .resideInAPackage("io.github.distlock.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(BACKEND_PACKAGES)
            .check(mainClasses);
    }

    @Test
    void backendsImportNoSpringAndNoOtherBackend() {
        for (String backend : BACKEND_PACKAGES) {
            List<String> forbidden = new ArrayList<>(List.of(BACKEND_PACKAGES));
            forbidden.remove(backend);
            forbidden.add("org.springframework..");
            // Backends arrive with later modules; until then the rule has nothing to check.
            noClasses().that()
                .resideInAPackage(backend)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(forbidden.toArray(String[]::new))
                .allowEmptyShould(true)
                .check(mainClasses);
        }
    }

    @Test
    void springModuleImportsNoSpringBootAndNoBackend() {
        noClasses().that()
            .resideInAPackage("io.github.distlock.spring..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.springframework.boot..")
            .orShould()
            .dependOnClassesThat()
            .resideInAnyPackage(BACKEND_PACKAGES)
            .check(mainClasses);
    }

    @Test
    void onlyAutoConfigurationImportsSpringBoot() {
        noClasses().that()
            .resideOutsideOfPackage("io.github.distlock.autoconfigure..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("org.springframework.boot..")
            .check(mainClasses);
    }

    @Test
    void nothingImportsAutoConfiguration() {
        noClasses().that()
            .resideOutsideOfPackage("io.github.distlock.autoconfigure..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.github.distlock.autoconfigure..")
            .check(mainClasses);
    }

    @Test
    void testKitIsNotUsedByMainCode() {
        noClasses().that()
            .resideOutsideOfPackage("io.github.distlock.testkit..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.github.distlock.testkit..")
            .check(mainClasses);
    }

    // The published kit included: it must not lean on the unpublished servers. (The benchmarks, not published and
    // not on this classpath, start their servers with it.)
    @Test
    void testServersAreNotUsedByMainCode() {
        noClasses().that()
            .resideOutsideOfPackage("io.github.distlock.testservers..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("io.github.distlock.testservers..")
            .check(mainClasses);
    }

}
