package io.flowbench.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The shapes through the multi-scale skeleton, computed without a graph: the one shape calculation
 * that model validation, graph construction and the FLOP count share. Each level squeezes its input,
 * runs its steps at the squeezed shape and, optionally and never after the last level, factors out.
 *
 * @param input  the image shape
 * @param levels the levels in forward order
 */
public record MultiScaleLayout(LatentShape input, List<Level> levels) {

    /**
     * @param input     shape entering the level
     * @param steps     shape the level's steps act on (after the squeeze)
     * @param factorOut the factor-out's shapes, when the level has one
     */
    public record Level(LatentShape input, LatentShape steps, Optional<FactorOut.Shapes> factorOut) {

        /** Shape that goes on to the next level (or to the top prior). */
        public LatentShape output() {
            return factorOut.map(FactorOut.Shapes::kept).orElse(steps);
        }
    }

    public MultiScaleLayout {
        levels = List.copyOf(levels);
    }

    /**
     * @param levels    number of levels (>= 1)
     * @param factorOut whether every level but the last factors out half its channels
     */
    public static MultiScaleLayout of(LatentShape input, int levels, boolean factorOut) {
        if (levels < 1) {
            throw new IllegalArgumentException("levels must be >= 1, got " + levels);
        }
        int scale = 1 << levels;
        if (input.height() % scale != 0 || input.width() % scale != 0) {
            throw new IllegalArgumentException("image size " + input.height() + "x" + input.width()
                    + " is not divisible by 2^levels = " + scale
                    + "; pad or resize the images, or use fewer levels");
        }
        List<Level> out = new ArrayList<>();
        LatentShape shape = input;
        for (int level = 0; level < levels; level++) {
            LatentShape steps = Squeeze.outputShape(shape);
            Optional<FactorOut.Shapes> split = factorOut && level < levels - 1
                    ? Optional.of(FactorOut.Shapes.halves(steps)) : Optional.empty();
            Level l = new Level(shape, steps, split);
            out.add(l);
            shape = l.output();
        }
        return new MultiScaleLayout(input, out);
    }

    /** Shape of the top latent (the last level's output). */
    public LatentShape top() {
        return levels.get(levels.size() - 1).output();
    }

    /** Shapes of the latents: the factored-out ones in level order, the top one last. */
    public List<LatentShape> latentShapes() {
        List<LatentShape> shapes = new ArrayList<>();
        levels.forEach(l -> l.factorOut().ifPresent(f -> shapes.add(f.factored())));
        shapes.add(top());
        return List.copyOf(shapes);
    }
}
