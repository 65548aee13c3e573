package io.github.distlock.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code sample.*} properties of the demo. Mutable while the binder fills it; not changed afterwards.
 */
@ConfigurationProperties("sample")
public class SampleProperties {

    /**
     * Name of this instance, recorded with every charge and purchase it makes.
     */
    private String instanceName = "sample";

    /**
     * Whether checkout and purchase take their distributed locks; false runs the same code unlocked, to show the
     * double charge. Sets distributed-lock.enabled.
     */
    private boolean locking = true;

    /**
     * How long the simulated payment provider takes to authorize a payment: the window in which two unlocked
     * checkouts of one order both find it unpaid.
     */
    private Duration paymentTime = Duration.ofMillis(300);

    public String getInstanceName() {
        return this.instanceName;
    }

    public void setInstanceName(String instanceName) {
        this.instanceName = instanceName;
    }

    public boolean isLocking() {
        return this.locking;
    }

    public void setLocking(boolean locking) {
        this.locking = locking;
    }

    public Duration getPaymentTime() {
        return this.paymentTime;
    }

    public void setPaymentTime(Duration paymentTime) {
        this.paymentTime = paymentTime;
    }

}
