package io.github.distlock.sample.scenario;

/**
 * A scenario run was asked for while another was still running.
 */
public class ScenarioBusyException extends RuntimeException {

    private final String runningId;

    /**
     * Creates the exception.
     * @param runningId the run still running
     */
    public ScenarioBusyException(String runningId) {
        super("Scenario run " + runningId + " is still running; start the next one when it has finished");
        this.runningId = runningId;
    }

    public String getRunningId() {
        return this.runningId;
    }

}
