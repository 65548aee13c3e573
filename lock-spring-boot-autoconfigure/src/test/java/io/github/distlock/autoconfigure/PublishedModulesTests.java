package io.github.distlock.autoconfigure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What users import: the BOM manages every published module and nothing else, has no parent (so importing it brings
 * no other project's versions), and the project's own parent imports Spring Boot's dependencies instead of inheriting
 * Spring Boot's parent. Read from the build files of this checkout.
 */
class PublishedModulesTests {

    // Surefire runs in the module's folder.
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theBomManagesEveryPublishedModuleAndOnlyThose() throws Exception {
        List<String> published = new ArrayList<>();
        for (String module : children(read(ROOT.resolve("pom.xml")).getDocumentElement(), "modules", "module")) {
            Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
            String packaging = text(pom.getDocumentElement(), "packaging");
            boolean skipped = "true".equals(text(child(pom.getDocumentElement(), "properties"), "maven.deploy.skip"));
            if (!skipped && !"pom".equals(packaging)) {
                published.add(text(pom.getDocumentElement(), "artifactId"));
            }
        }
        Document bom = read(ROOT.resolve("distlock-bom/pom.xml"));
        List<String> managed = new ArrayList<>();
        Element dependencies = child(child(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
        for (Element dependency : elements(dependencies, "dependency")) {
            managed.add(text(dependency, "artifactId"));
        }
        assertThat(published).contains("lock-core", "lock-spring", "lock-redis", "lock-jdbc", "lock-zookeeper",
                "lock-etcd",
                "lock-spring-boot-autoconfigure", "lock-spring-boot-starter", "lock-test-kit");
        assertThat(managed).containsExactlyInAnyOrderElementsOf(published);
    }

    @Test
    void theBomHasNoParentAndTheProjectDoesNotInheritSpringBootsParent() throws Exception {
        assertThat(child(read(ROOT.resolve("distlock-bom/pom.xml")).getDocumentElement(), "parent")).isNull();
        Element root = read(ROOT.resolve("pom.xml")).getDocumentElement();
        assertThat(text(child(root, "parent"), "artifactId")).isEqualTo("distlock-bom");
        Element management = child(child(root, "dependencyManagement"), "dependencies");
        assertThat(elements(management, "dependency")).anySatisfy(dependency -> {
            assertThat(text(dependency, "artifactId")).isEqualTo("spring-boot-dependencies");
            assertThat(text(dependency, "scope")).isEqualTo("import");
        });
    }

    @Test
    void theOperatorsLibrariesAreOptionalDependenciesOfTheAutoConfiguration() throws Exception {
        Element dependencies = child(read(ROOT.resolve("lock-spring-boot-autoconfigure/pom.xml")).getDocumentElement(),
                "dependencies");
        List<String> optional = new ArrayList<>();
        for (Element dependency : elements(dependencies, "dependency")) {
            if ("true".equals(text(dependency, "optional"))) {
                optional.add(text(dependency, "artifactId"));
            }
        }
        assertThat(optional).contains("spring-boot-actuator", "spring-boot-actuator-autoconfigure",
                "spring-boot-health", "micrometer-core");
    }

    private static Document read(Path pom) throws Exception {
        assertThat(pom).exists();
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Files.newInputStream(pom));
    }

    private static List<String> children(Element parent, String container, String name) {
        List<String> values = new ArrayList<>();
        for (Element element : elements(child(parent, container), name)) {
            values.add(element.getTextContent().trim());
        }
        return values;
    }

    private static List<Element> elements(@Nullable Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static @Nullable Element child(@Nullable Element parent, String name) {
        List<Element> found = elements(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static @Nullable String text(@Nullable Element parent, String name) {
        Element element = child(parent, name);
        return (element != null) ? element.getTextContent().trim() : null;
    }

}
