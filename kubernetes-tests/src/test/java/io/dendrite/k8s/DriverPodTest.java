package io.dendrite.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.k8s.KubernetesConf;
import org.apache.spark.deploy.k8s.KubernetesDriverConf;
import org.apache.spark.deploy.k8s.KubernetesDriverSpec;
import org.apache.spark.deploy.k8s.submit.JavaMainAppResource;
import org.apache.spark.deploy.k8s.submit.KubernetesDriverBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import scala.Option;
import scala.collection.JavaConverters;

/**
 * The driver pod {@code spark-submit --master k8s://… --deploy-mode cluster} would create for the README's
 * command, built by Spark's own Kubernetes client ({@link KubernetesDriverBuilder}) against fabric8's mock
 * API server, from {@code deploy/k8s}'s pod templates, {@code conf/spark-defaults.conf} and the JVM flags
 * the build writes. No pod runs: there is no Kubernetes cluster or container engine here.
 */
class DriverPodTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String IMAGE = "registry.example/dendrite:0.1.0";
    private static final String JAR = "local:///opt/dendrite/dendrite-app.jar";
    private static final String[] ARGS = {"train", "--job", "/opt/dendrite/conf/digits.yaml", "--output",
        "s3a://bucket/dendrite/digits"};

    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startMockApiServer() {
        server = new KubernetesMockServer(false);
        server.init(java.net.InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    @AfterEach
    void stopMockApiServer() {
        client.close();
        server.destroy();
    }

    /** The README's command: spark-defaults.conf, the image, both templates and the JVM flags. */
    private static SparkConf submitted(String flags) throws IOException {
        SparkConf conf = new SparkConf(false);
        Properties defaults = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve("conf/spark-defaults.conf"))) {
            defaults.load(in);
        }
        defaults.stringPropertyNames().forEach(k -> conf.set(k, defaults.getProperty(k).trim()));
        return conf.set("spark.master", "k8s://https://kubernetes.example:6443")
                .set("spark.submit.deployMode", "cluster")
                .set("spark.app.name", "dendrite-digits")
                .set("spark.kubernetes.namespace", "default")
                .set("spark.kubernetes.container.image", IMAGE)
                .set("spark.kubernetes.driver.podTemplateFile", ROOT.resolve("deploy/k8s/driver-pod-template.yaml").toString())
                .set("spark.kubernetes.executor.podTemplateFile",
                        ROOT.resolve("deploy/k8s/executor-pod-template.yaml").toString())
                .set("spark.driver.extraJavaOptions", flags)
                .set("spark.executor.extraJavaOptions", flags);
    }

    @Test
    void theDriverPodCarriesTheImageTheJvmFlagsAndTheJobArguments() throws IOException {
        String flags = Files.readString(ROOT.resolve("deploy/target/jvm-flags.txt")).strip();
        assertTrue(flags.contains("--add-modules=jdk.incubator.vector"), flags);
        // Spark's factory, the same call on Spark 3.5 and 4 (whose constructor also takes a clock).
        KubernetesDriverConf conf = KubernetesConf.createDriverConf(submitted(flags), "spark-dendrite-test",
                new JavaMainAppResource(Option.apply(JAR)), "io.dendrite.spark.cli.Main", ARGS, Option.<String>empty());
        KubernetesDriverSpec spec = new KubernetesDriverBuilder().buildFromFeatures(conf, client);
        Pod pod = spec.pod().pod();
        Container driver = spec.pod().container();

        assertEquals(IMAGE, driver.getImage());
        assertEquals("dendrite", pod.getMetadata().getLabels().get("app.kubernetes.io/name"), "from the template");
        assertEquals("driver", pod.getMetadata().getLabels().get("app.kubernetes.io/component"));
        assertTrue(driver.getEnv().stream().map(EnvVar::getName).anyMatch("DENDRITE_ROLE"::equals), "template env");
        assertEquals("Never", pod.getSpec().getRestartPolicy());
        // The driver is started as `driver --class Main JAR ARGS...`.
        List<String> args = driver.getArgs();
        assertEquals("driver", args.get(0), args.toString());
        int cls = args.indexOf("--class");
        assertEquals("io.dendrite.spark.cli.Main", args.get(cls + 1), args.toString());
        assertEquals(List.of(ARGS), args.subList(args.indexOf(JAR) + 1, args.size()), args.toString());
        // Driver and executor JVM options travel in spark.properties, which the driver reads at start.
        Map<String, String> props = JavaConverters.mapAsJavaMap(spec.systemProperties());
        assertEquals(flags, props.get("spark.driver.extraJavaOptions"));
        assertEquals(flags, props.get("spark.executor.extraJavaOptions"));
        assertEquals("io.dendrite.spark.DendriteKryoRegistrator", props.get("spark.kryo.registrator"));
        // The executor template reaches the driver pod as a ConfigMap mounted where this property points.
        assertEquals("/opt/spark/pod-template/pod-spec-template.yml", props.get("spark.kubernetes.executor.podTemplateFile"));
        boolean templateShipped = JavaConverters.seqAsJavaList(spec.driverKubernetesResources()).stream()
                .filter(r -> r instanceof io.fabric8.kubernetes.api.model.ConfigMap)
                .flatMap(r -> ((io.fabric8.kubernetes.api.model.ConfigMap) r).getData().values().stream())
                .anyMatch(v -> v.contains("app.kubernetes.io/component: executor"));
        assertTrue(templateShipped, "the executor pod template is shipped in a ConfigMap");
    }
}
