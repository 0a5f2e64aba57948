package io.flowbench.flow.resflow;

/** A roulette draw needs more power-series terms than a block's graph holds: rebuild with more. */
public final class SeriesCapacityException extends RuntimeException {
    private final int terms;

    public SeriesCapacityException(String block, int terms) {
        super(block + ": the roulette drew a series of " + terms + " terms, more than the graph holds");
        this.terms = terms;
    }

    /** The number of terms the draw needs. */
    public int terms() {
        return terms;
    }
}
