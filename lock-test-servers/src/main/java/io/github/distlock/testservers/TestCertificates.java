package io.github.distlock.testservers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A throw-away certificate authority and a server certificate it signed, made in the JVM for one test, so that TLS
 * is tested without key material in the repository and without the {@code openssl} command. The server certificate
 * names IP {@code 127.0.0.1} and DNS {@code localhost}; both are valid from an hour ago for two days (an hour of
 * slack for a clock that differs between the JVM and the server). Keys are EC P-256.
 *
 * <p>The same material serves both sides: a server that reads files (Redis) gets PEM files, the CA certificate,
 * the server certificate and the server's key as unencrypted PKCS#8; a Java client gets a trust store or an
 * {@link SSLContext} that trusts this CA only.
 *
 * <p>Immutable and thread-safe once generated.
 */
public final class TestCertificates {

    private static final Duration SLACK = Duration.ofHours(1);

    private static final Duration VALIDITY = Duration.ofDays(2);

    private static final String SIGNATURE = "SHA256withECDSA";

    private final Path directory;

    private final X509Certificate ca;

    private TestCertificates(Path directory, X509Certificate ca) {
        this.directory = directory;
        this.ca = ca;
    }

    /**
     * Generates a CA and a server certificate and writes their PEM files ({@code ca.crt}, {@code server.crt},
     * {@code server.key}) in the given directory.
     * @param directory an existing directory
     * @return the generated certificates
     */
    public static TestCertificates generate(Path directory) {
        try {
            KeyPair caKeys = newKeyPair();
            KeyPair serverKeys = newKeyPair();
            X500Name caName = new X500Name("CN=distlock test CA");
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder caBuilder = builder(caName, caName, caKeys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
            X509Certificate ca = sign(caBuilder, caKeys.getPrivate());
            X509v3CertificateBuilder serverBuilder = builder(caName, new X500Name("CN=localhost"), serverKeys)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName[] { new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost") }))
                .addExtension(Extension.subjectKeyIdentifier, false,
                        extensions.createSubjectKeyIdentifier(serverKeys.getPublic()))
                .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
            X509Certificate server = sign(serverBuilder, caKeys.getPrivate());
            TestCertificates certificates = new TestCertificates(directory, ca);
            writePem(certificates.caCertificate(), new JcaMiscPEMGenerator(ca));
            writePem(certificates.serverCertificate(), new JcaMiscPEMGenerator(server));
            writePem(certificates.serverKey(), new JcaPKCS8Generator(serverKeys.getPrivate(), null));
            return certificates;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (GeneralSecurityException | OperatorCreationException ex) {
            throw new IllegalStateException("Cannot generate the test certificates", ex);
        }
    }

    /**
     * Returns the directory of the PEM files.
     * @return the directory
     */
    public Path directory() {
        return this.directory;
    }

    /**
     * Returns the CA certificate's PEM file: what a client trusts.
     * @return the file
     */
    public Path caCertificate() {
        return this.directory.resolve("ca.crt");
    }

    /**
     * Returns the server certificate's PEM file, signed by the CA, for {@code 127.0.0.1} and {@code localhost}.
     * @return the file
     */
    public Path serverCertificate() {
        return this.directory.resolve("server.crt");
    }

    /**
     * Returns the PEM file of the server's private key (PKCS#8, unencrypted).
     * @return the file
     */
    public Path serverKey() {
        return this.directory.resolve("server.key");
    }

    /**
     * Returns the arguments that make a Redis server listen for TLS on the given port with these certificates
     * (clients are not asked for certificates).
     * @param tlsPort the TLS port
     * @return the command-line arguments
     */
    public List<String> redisTlsArguments(int tlsPort) {
        return List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", serverCertificate().toString(),
                "--tls-key-file", serverKey().toString(), "--tls-ca-cert-file", caCertificate().toString(),
                "--tls-auth-clients", "no");
    }

    /**
     * Returns a new trust store (of the JDK's default type, without a password) holding only the CA certificate.
     * @return the trust store
     */
    public KeyStore trustStore() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("distlock-test-ca", this.ca);
            return trust;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Returns an SSL context that trusts only this test CA.
     * @return the context
     */
    public SSLContext clientContext() {
        try {
            TrustManagerFactory trustManagers = TrustManagerFactory
                .getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        // Positive and unique enough: a serial number only has to differ between certificates of one issuer.
        BigInteger serial = new BigInteger(64, new SecureRandom());
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(SLACK)),
                Date.from(now.plus(VALIDITY)), subject, subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuerKey)));
    }

    private static void writePem(Path file, PemObjectGenerator material) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(material);
        }
    }

}
