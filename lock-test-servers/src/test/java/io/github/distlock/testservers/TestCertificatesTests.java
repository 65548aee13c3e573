package io.github.distlock.testservers;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The generated PEM files are what a TLS server reads: a CA, a server certificate it signed for the loopback names,
 * and the server's PKCS#8 key; the Java side trusts the same CA.
 */
class TestCertificatesTests {

    private static final byte[] PROBE = "probe".getBytes(StandardCharsets.US_ASCII);

    @Test
    void theServerCertificateIsSignedByTheCaForTheLoopbackNames(@TempDir Path directory) throws Exception {
        TestCertificates certificates = TestCertificates.generate(directory);
        X509Certificate ca = read(certificates.caCertificate());
        X509Certificate server = read(certificates.serverCertificate());
        server.verify(ca.getPublicKey());
        server.checkValidity();
        assertThat(ca.getBasicConstraints()).as("the CA may sign").isNotNegative();
        assertThat(server.getBasicConstraints()).as("the server certificate may not").isEqualTo(-1);
        List<Object> names = server.getSubjectAlternativeNames().stream().<Object>map(name -> name.get(1)).toList();
        assertThat(names).containsExactlyInAnyOrder("127.0.0.1", "localhost");
        assertThat(certificates.trustStore().getCertificateAlias(ca)).isNotNull();
    }

    @Test
    void theServerKeyIsUnencryptedPkcs8OfTheCertifiedKey(@TempDir Path directory) throws Exception {
        TestCertificates certificates = TestCertificates.generate(directory);
        List<String> lines = Files.readAllLines(certificates.serverKey());
        assertThat(lines.get(0)).isEqualTo("-----BEGIN PRIVATE KEY-----");
        byte[] der = Base64.getMimeDecoder().decode(String.join("", lines.subList(1, lines.size() - 1)));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(key);
        signer.update(PROBE);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(read(certificates.serverCertificate()).getPublicKey());
        verifier.update(PROBE);
        assertThat(verifier.verify(signature)).as("the key belongs to the certificate").isTrue();
        assertThat(certificates.redisTlsArguments(6390)).contains(certificates.serverKey().toString(),
                certificates.serverCertificate().toString(), certificates.caCertificate().toString());
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

}
