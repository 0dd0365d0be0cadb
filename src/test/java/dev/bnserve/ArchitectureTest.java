package dev.bnserve;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package order of the README's layout, enforced: {@code problem}, {@code nn} and {@code io} at the bottom, then
 * {@code data} ← {@code model} ← {@code training}/{@code predict} ← {@code store} (the PostgreSQL store, which
 * implements their store and job-queue interfaces; only the application wires it) ← {@code web} ← {@code security},
 * with the
 * application's wiring on top. Domain packages speak no HTTP, and the numeric core, the data layer and the problem
 * type know no framework.
 */
class ArchitectureTest {
    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.bnserve");

    @Test
    void packagesDependOnlyDownwards() {
        layers().check(MAIN);
    }

    /** The rule can fail: a test class in nn that reaches into web is caught. */
    @Test
    void theLayeringRuleCatchesAViolation() {
        JavaClasses withViolation =
                new ClassFileImporter().importPackages("dev.bnserve.nn.archfixture", "dev.bnserve.web");
        assertThatThrownBy(() -> layers().withOptionalLayers(true).check(withViolation))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ReachesIntoWeb");
    }

    private static com.tngtech.archunit.library.Architectures.LayeredArchitecture layers() {
        return layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("app")
                .definedBy("dev.bnserve")
                .layer("security")
                .definedBy("dev.bnserve.security..")
                .layer("web")
                .definedBy("dev.bnserve.web..")
                .layer("export")
                .definedBy("dev.bnserve.export..")
                .layer("store")
                .definedBy("dev.bnserve.store..")
                .layer("training")
                .definedBy("dev.bnserve.training..")
                .layer("predict")
                .definedBy("dev.bnserve.predict..")
                .layer("model")
                .definedBy("dev.bnserve.model..")
                .layer("data")
                .definedBy("dev.bnserve.data..")
                .layer("config")
                .definedBy("dev.bnserve.config..")
                .layer("prep")
                .definedBy("dev.bnserve.prep..")
                .layer("io")
                .definedBy("dev.bnserve.io..")
                .layer("nn")
                .definedBy("dev.bnserve.nn..")
                .layer("problem")
                .definedBy("dev.bnserve.problem..")
                .whereLayer("app")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("security")
                .mayOnlyBeAccessedByLayers("app")
                .whereLayer("web")
                .mayOnlyBeAccessedByLayers("security", "app")
                .whereLayer("export")
                .mayOnlyBeAccessedByLayers("web", "security", "app")
                .whereLayer("store")
                .mayOnlyBeAccessedByLayers("app")
                .whereLayer("training")
                .mayOnlyBeAccessedByLayers("store", "web", "security", "app")
                .whereLayer("predict")
                .mayOnlyBeAccessedByLayers("web", "security", "app")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers("training", "predict", "store", "export", "web", "security", "app")
                .whereLayer("data")
                .mayOnlyBeAccessedByLayers("model", "training", "predict", "store", "web", "security", "app")
                .whereLayer("config")
                .mayOnlyBeAccessedByLayers("model", "training", "predict", "store", "web", "security", "app")
                .whereLayer("prep")
                .mayOnlyBeAccessedByLayers("data", "model", "training", "predict", "export", "web", "app")
                .whereLayer("io")
                .mayOnlyBeAccessedByLayers("data", "model", "app");
    }

    @Test
    void noCycles() {
        slices().matching("dev.bnserve.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theCoreTheDataAndTheProblemTypeKnowNoFramework() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.bnserve.nn..", "dev.bnserve.prep..", "dev.bnserve.data..", "dev.bnserve.problem..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.springframework..", "jakarta..", "io.micrometer..")
                .check(MAIN);
    }

    @Test
    void theDomainSpeaksNoHttp() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "dev.bnserve.nn..",
                        "dev.bnserve.prep..",
                        "dev.bnserve.data..",
                        "dev.bnserve.model..",
                        "dev.bnserve.training..",
                        "dev.bnserve.predict..",
                        "dev.bnserve.export..",
                        "dev.bnserve.store..",
                        "dev.bnserve.problem..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework.http..", "org.springframework.web..", "jakarta.servlet..", "org.apache..")
                .check(MAIN);
    }
}
