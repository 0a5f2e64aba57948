package io.flowbench.model;

import io.flowbench.flow.DataDependentInit;
import io.flowbench.flow.FactorOut;
import io.flowbench.flow.FactorOutMask;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.FlowLayer;
import io.flowbench.flow.FlowSequence;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.MultiScaleFlow;
import io.flowbench.flow.MultiScaleLayout;
import io.flowbench.flow.Prior;
import io.flowbench.flow.SplitPrior;
import io.flowbench.flow.Squeeze;
import io.flowbench.flow.StochasticLayer;
import io.flowbench.flow.TopPrior;
import io.flowbench.flow.resflow.SeriesCapacityException;
import io.flowbench.samediff.ReplayedExecution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flow model compiled into one SameDiff graph: the density side (input {@value #INPUT} to
 * per-example bits/dim and the training loss) and, built on first use, the generative side
 * (whitened latents {@code eps_in_i} to {@value #DECODED}) share the same parameter variables. Inputs are
 * dequantized images in [-0.5, 0.5) (see {@link Dequantizer}). A model with stochastic layers
 * (resflow) feeds their random inputs itself ({@link #estimatorInputs}), and replaces its graph by a
 * larger one when a draw needs more power-series terms than it holds ({@link #generation}).
 */
public final class FlowModel {
    public static final String INPUT = "x";
    public static final String LABEL = "label";
    public static final String LOG_PROB = "log_prob";
    public static final String LOG_DET = "log_det";
    public static final String BITS_PER_DIM = "bits_per_dim";
    public static final String LOSS = "loss";
    public static final String DECODED = "x_decoded";
    /** What training minimises when an L2 penalty is added: {@value #LOSS} plus the penalty. */
    public static final String OBJECTIVE = "objective";
    private static final Logger LOG = LoggerFactory.getLogger(FlowModel.class);

    private final long seed;
    private final DataType dtype;
    private ModelSpec spec;
    private SameDiff sd;
    private FlowGraph graph;
    private MultiScaleFlow flow;
    private List<LatentShape> latentShapes;
    private List<FactorOutMask> masks;
    private Optional<LikelihoodContribution> contribution;
    private List<StochasticLayer> stochastic;
    private double l2Coefficient;
    /** Counts rebuilds of the graph (a larger log-det series): whoever holds functions of the graph redoes them. */
    private int generation;
    /** The graph evaluation and sampling use when the log-det is stochastic (see {@link #forEvaluation}). */
    private FlowModel evaluation;
    private boolean decoderBuilt;
    /** Executions of this graph by requested outputs, replayed when its log-det is deterministic. */
    private Map<List<String>, ReplayedExecution> executions = new ConcurrentHashMap<>();
    private boolean initialised;

    private FlowModel(ModelSpec spec, DataType dtype, long seed) {
        this.seed = seed;
        this.dtype = dtype;
        compile(spec);
    }

    /** Builds the graph of {@code spec} in the given floating-point type, parameters drawn with {@code seed}. */
    public static FlowModel build(ModelSpec spec, DataType dtype, long seed) {
        return new FlowModel(spec, dtype, seed);
    }

    /** Builds the density side of {@code spec} into a new graph, which becomes this model's. */
    private void compile(ModelSpec spec) {
        SameDiff sd = SameDiff.create();
        FlowGraph graph = new FlowGraph(sd, dtype, seed);
        SDVariable x = sd.placeHolder(INPUT, dtype, spec.input().batchShape());
        SDVariable label = spec.conditional() ? sd.placeHolder(LABEL, dtype, -1, spec.numClasses()) : null;
        List<FactorOutMask> masks = new ArrayList<>();
        MultiScaleFlow flow = assemble(graph, spec, seed, masks);

        boolean traceShares = spec.factorOutPolicy().kind() == FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION;
        MultiScaleFlow.Encoding enc = flow.encode(x, label, traceShares);
        enc.logProb().rename(LOG_PROB);
        enc.logDet().rename(LOG_DET);
        double nats2bits = 1.0 / (spec.dimensions() * Math.log(2));
        // bits/dim of the discrete image: -log p(y)/(D ln 2) + n_bits (the 1/2^n bin volume per dim).
        SDVariable bpd = enc.logProb().mul(-nats2bits).add(BITS_PER_DIM, spec.nBits());
        bpd.mean(LOSS);
        sd.setLossVariables(LOSS);
        for (int l = 0; l < enc.levelLogDets().size(); l++) {
            // An identity, not a rename: with one level the level's log-det is the total's variable.
            sd.identity(levelLogDetName(l), enc.levelLogDets().get(l));
        }
        for (int i = 0; i < enc.latents().size(); i++) {
            enc.latents().get(i).rename(latentName(i));
            enc.standardised().get(i).rename(standardisedName(i));
        }
        this.spec = spec;
        this.sd = sd;
        executions.values().forEach(ReplayedExecution::discard);
        this.executions = new ConcurrentHashMap<>();
        this.graph = graph;
        this.flow = flow;
        this.latentShapes = flow.latentShapes();
        this.masks = List.copyOf(masks);
        this.contribution = spec.factorOutPolicy().kind() == FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION
                ? Optional.of(new LikelihoodContribution(sd, this.masks, spec.factorOutPolicy())) : Optional.empty();
        this.stochastic = graph.stochasticLayers();
        this.decoderBuilt = false;
    }

    /**
     * Rebuilds the graph with {@code step} (a larger log-det series), carrying every parameter and
     * constant (spectral-norm vectors, masks, statistics) over by name, and the L2 penalty.
     */
    private void rebuild(StepSpec step) {
        SameDiff old = sd;
        compile(spec.withStep(step));
        copyState(old);
        if (l2Coefficient > 0) {
            addL2Penalty(l2Coefficient);
        }
        generation++;
    }

    /** Copies every parameter and constant of this graph from the variable of the same name in {@code from}. */
    private void copyState(SameDiff from) {
        copyState(from, Set.of());
    }

    /** Copies every parameter and constant but those named in {@code keep} from {@code from}. */
    private void copyState(SameDiff from, Set<String> keep) {
        for (SDVariable v : sd.variables()) {
            VariableType type = v.getVariableType();
            if ((type == VariableType.VARIABLE || type == VariableType.CONSTANT) && from.hasVariable(v.name())
                    && !keep.contains(v.name())) {
                v.getArr().assign(from.getArrForVarName(v.name()));
            }
        }
    }

    /**
     * The skeleton's parts, created level by level in forward order (which fixes the order the seeded
     * initialisers are drawn in): the pre-processing layer (level 0), the squeeze, the steps (in the last
     * level followed by the step's end layers), the factor-out's prior; then the top prior. A factor-out
     * policy other than {@code channels} adds a mask (a constant permutation, seeded by {@code seed} for
     * {@code random}) before each factor-out, collected into {@code masks}.
     */
    private static MultiScaleFlow assemble(FlowGraph g, ModelSpec spec, long seed, List<FactorOutMask> masks) {
        MultiScaleLayout layout = spec.layout();
        List<MultiScaleFlow.Level> levels = new ArrayList<>();
        for (int l = 0; l < layout.levels().size(); l++) {
            MultiScaleLayout.Level level = layout.levels().get(l);
            List<FlowLayer> layers = new ArrayList<>();
            if (l == 0) {
                spec.preprocessing().create(g, spec.input()).ifPresent(layers::add);
            }
            layers.add(new Squeeze(g, level.input()));
            for (int k = 0; k < spec.depth(); k++) {
                layers.add(spec.step().create(g, "level" + l + "/step" + k, level.steps(), spec));
            }
            if (l == layout.levels().size() - 1) {
                layers.addAll(spec.step().createEnd(g, "level" + l + "/end", level.steps(), spec));
            }
            FactorOutPolicy policy = spec.factorOutPolicy();
            if (policy.permutes() && level.factorOut().isPresent()) {
                FactorOutMask mask = new FactorOutMask(g, "level" + l + "/factor-out-mask", level.steps(),
                        policy.initialMask(level.steps(), seed, l), policy.packing());
                masks.add(mask);
                layers.add(mask);
            }
            String name = "level" + l + "/split";
            Optional<FactorOut> factorOut = level.factorOut().map(f -> new FactorOut(g, f,
                    new SplitPrior(g, name, f.kept().channels(), f.factored().channels())));
            levels.add(new MultiScaleFlow.Level(new FlowSequence(layers), factorOut));
        }
        Prior top = new TopPrior(g, "top", layout.top().channels(), spec.learnedTopPrior(), spec.numClasses());
        return new MultiScaleFlow(levels, top, layout.latentShapes());
    }

    /**
     * Adds the generative side on first use: a model that is only trained carries no sampling ops,
     * and its graph has no inputs that the loss does not depend on.
     */
    private void ensureDecoder() {
        if (decoderBuilt) {
            return;
        }
        List<SDVariable> eps = new ArrayList<>();
        for (int i = 0; i < latentShapes.size(); i++) {
            eps.add(sd.placeHolder(standardisedInputName(i), dtype, latentShapes.get(i).batchShape()));
        }
        flow.decode(eps, spec.conditional() ? sd.getVariable(LABEL) : null).rename(DECODED);
        decoderBuilt = true;
    }

    /** Level l's log|det J| per example (its volume change); computed only when asked for. */
    public static String levelLogDetName(int level) {
        return "log_det_level_" + level;
    }

    public static String latentName(int i) {
        return "z_" + i;
    }

    public static String standardisedName(int i) {
        return "eps_" + i;
    }

    public static String standardisedInputName(int i) {
        return "eps_in_" + i;
    }

    public ModelSpec spec() {
        return spec;
    }

    public SameDiff graph() {
        return sd;
    }

    public DataType dtype() {
        return dtype;
    }

    /** Whether the log-det is a random estimate (resflow): every density it gives is one draw of it. */
    public boolean hasStochasticLogDet() {
        return !stochastic.isEmpty();
    }

    /** How often the graph was rebuilt (a larger log-det series); gradient functions of an older one are stale. */
    public int generation() {
        return generation;
    }

    public List<LatentShape> latentShapes() {
        return latentShapes;
    }

    public long parameterCount() {
        long n = 0;
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                n += v.getArr().length();
            }
        }
        return n;
    }

    /** One-hot [N, classes] rows of integer labels, in this model's type. */
    public INDArray oneHot(int[] labels) {
        INDArray out = Nd4j.zeros(dtype, labels.length, spec.numClasses());
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= spec.numClasses()) {
                throw new IllegalArgumentException("label " + labels[i] + " outside 0.." + (spec.numClasses() - 1));
            }
            out.putScalar(i, labels[i], 1.0);
        }
        return out;
    }

    /** Placeholder values for the density side; labels are one-hot rows, or null when unconditional. */
    public Map<String, INDArray> inputs(INDArray x, INDArray labels) {
        Map<String, INDArray> in = new HashMap<>();
        in.put(INPUT, x.castTo(dtype));
        putLabels(in, labels);
        return in;
    }

    private void putLabels(Map<String, INDArray> in, INDArray labels) {
        if (spec.conditional()) {
            if (labels == null) {
                throw new IllegalArgumentException("a class-conditional model needs labels");
            }
            in.put(LABEL, labels.castTo(dtype));
        }
    }

    /**
     * {@link #inputs} plus every stochastic layer's random inputs, drawn from the stream of {@code key}
     * (layer i draws from its i-th split), and what a forward-only pass precomputes for the Neumann
     * gradient. A draw the graph has no room for rebuilds it with room first (then draws again: the same
     * key gives the same draws). Glow and DLF have no stochastic layers: the inputs are {@link #inputs}.
     */
    public Map<String, INDArray> estimatorInputs(INDArray x, INDArray labels, long key) {
        while (true) {
            Map<String, INDArray> in = inputs(x, labels);
            SplittableRandom root = new SplittableRandom(key);
            try {
                for (StochasticLayer layer : stochastic) {
                    layer.feed(in, x.size(0), root.split());
                }
            } catch (SeriesCapacityException e) {
                rebuild(spec.step().withSeriesCapacity(e.terms()));
                continue;
            }
            StochasticLayer.precompute(sd, stochastic, in);
            return in;
        }
    }

    /** The inputs of training step {@code step} (counted from 1): the estimator's stream is a function of (seed, step). */
    public Map<String, INDArray> trainingInputs(INDArray x, INDArray labels, long step) {
        return estimatorInputs(x, labels, seed * 0xD1B54A32D192ED03L + step);
    }

    /** Per-example bits/dim of dequantized images x [N, C, H, W] (a stochastic log-det drawn with key 0). */
    public INDArray bitsPerDim(INDArray x, INDArray labels) {
        return output(estimatorInputs(x, labels, 0), BITS_PER_DIM).get(BITS_PER_DIM);
    }

    /** Per-example bits/dim and each level's log-det, from one execution. */
    public record Densities(INDArray bitsPerDim, List<INDArray> levelLogDets) { }

    /** The densities of x; a stochastic log-det is drawn from the stream of {@code key}. */
    public Densities densities(INDArray x, INDArray labels, long key) {
        int levels = spec.levels();
        String[] names = new String[levels + 1];
        names[0] = BITS_PER_DIM;
        for (int l = 0; l < levels; l++) {
            names[l + 1] = levelLogDetName(l);
        }
        Map<String, INDArray> out = output(estimatorInputs(x, labels, key), names);
        List<INDArray> levelLogDets = new ArrayList<>();
        for (int l = 0; l < levels; l++) {
            levelLogDets.add(out.get(levelLogDetName(l)));
        }
        return new Densities(out.get(BITS_PER_DIM), levelLogDets);
    }

    /** Per-example log density (nats) of the continuous input (a stochastic log-det drawn with key 0). */
    public INDArray logProb(INDArray x, INDArray labels) {
        return output(estimatorInputs(x, labels, 0), LOG_PROB).get(LOG_PROB);
    }

    /**
     * The flow's latents of x before the priors whiten them, every factored-out latent and the top one
     * flattened and concatenated in that order: [N, D]. Only the priors see labels, so these do not depend on
     * them (a class-conditional model still takes its labels, as placeholders of the graph).
     */
    public INDArray latents(INDArray x, INDArray labels) {
        String[] names = new String[latentShapes.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = latentName(i);
        }
        Map<String, INDArray> out = output(inputs(x, labels), names);
        INDArray[] flat = new INDArray[names.length];
        for (int i = 0; i < names.length; i++) {
            INDArray z = out.get(names[i]);
            flat[i] = z.reshape(z.size(0), z.length() / z.size(0));
        }
        return Nd4j.concat(1, flat);
    }

    /** Whitened latents of x, one per level (splits first, top last). */
    public List<INDArray> encode(INDArray x, INDArray labels) {
        String[] names = new String[latentShapes.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = standardisedName(i);
        }
        Map<String, INDArray> out = output(inputs(x, labels), names);
        List<INDArray> eps = new ArrayList<>();
        for (String name : names) {
            eps.add(out.get(name));
        }
        return eps;
    }

    /**
     * Images from whitened latents: the exact inverse of {@link #encode}. A layer whose inverse
     * iterates (resflow's fixed point) and reached its cap is logged as a warning naming it.
     */
    public INDArray decode(List<INDArray> eps, INDArray labels) {
        ensureDecoder();
        Map<String, INDArray> in = new HashMap<>();
        for (int i = 0; i < eps.size(); i++) {
            in.put(standardisedInputName(i), eps.get(i).castTo(dtype));
        }
        putLabels(in, labels);
        List<String> names = new ArrayList<>(List.of(DECODED));
        stochastic.forEach(layer -> names.add(layer.inverseIterationsName()));
        Map<String, INDArray> out = output(in, names.toArray(String[]::new));
        for (StochasticLayer layer : stochastic) {
            double rounds = out.get(layer.inverseIterationsName()).getDouble(0);
            if (rounds >= layer.inverseIterationCap()) {
                LOG.warn("{}: the fixed-point inverse stopped at its cap of {} iterations before converging;"
                        + " the decoded images may be inexact", layer.name(), layer.inverseIterationCap());
            }
        }
        return out.get(DECODED);
    }

    /**
     * The graph's outputs for these inputs: replayed after the first executions of a set of outputs on
     * inputs of the same shapes ({@link ReplayedExecution}) unless a stochastic log-det's draws, which are
     * inputs, could decide what runs.
     */
    private Map<String, INDArray> output(Map<String, INDArray> inputs, String... names) {
        if (hasStochasticLogDet()) {
            return sd.output(inputs, names);
        }
        return executions.computeIfAbsent(List.of(names), k -> ReplayedExecution.of(sd, names)).execute(inputs);
    }

    /** n samples at the given temperature (every prior's standard deviation scaled by it). */
    public INDArray sample(int n, double temperature, long seed, INDArray labels) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<INDArray> eps = new ArrayList<>();
        for (LatentShape shape : latentShapes) {
            double[] values = new double[Math.toIntExact(n * shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = temperature * rng.nextGaussian();
            }
            eps.add(Nd4j.create(values, new long[] {n, shape.channels(), shape.height(), shape.width()}, DataType.DOUBLE));
        }
        return decode(eps, labels);
    }

    /**
     * Images along the straight line between the latents of a and b (single images [1, C, H, W]),
     * {@code points} of them including both ends.
     */
    public INDArray interpolate(INDArray a, INDArray b, int points, INDArray labels) {
        if (points < 2) {
            throw new IllegalArgumentException("interpolation needs at least 2 points, got " + points);
        }
        List<INDArray> ea = encode(a, labels);
        List<INDArray> eb = encode(b, labels);
        List<INDArray> path = new ArrayList<>();
        for (int l = 0; l < ea.size(); l++) {
            INDArray[] rows = new INDArray[points];
            for (int p = 0; p < points; p++) {
                double t = p / (double) (points - 1);
                rows[p] = ea.get(l).mul(1 - t).add(eb.get(l).mul(t));
            }
            path.add(Nd4j.concat(0, rows));
        }
        return decode(path, labels == null ? null : Nd4j.repeat(labels, points).reshape(points, -1));
    }

    /**
     * Adds coefficient * sum ||W||_F^2 over the invertible 1x1 convolutions' weights (composed from
     * their LU factors) to what training minimises; {@value #LOSS} stays pure bits/dim. Must come
     * before the first training step (before the gradient graph exists).
     */
    public void addL2Penalty(double coefficient) {
        if (coefficient < 0) {
            throw new IllegalArgumentException("L2 coefficient must be >= 0, got " + coefficient);
        }
        if (coefficient == 0 || graph.l2Weights().isEmpty()) {
            return;
        }
        if (sd.hasGradientFunction()) {
            throw new IllegalStateException("the L2 penalty must be added before training starts");
        }
        l2Coefficient = coefficient;
        SDVariable penalty = null;
        for (SDVariable w : graph.l2Weights()) {
            SDVariable term = sd.math().square(w).sum();
            penalty = penalty == null ? term : penalty.add(term);
        }
        sd.getVariable(LOSS).add(OBJECTIVE, penalty.mul(coefficient));
        sd.setLossVariables(OBJECTIVE);
    }

    /** The factor-out masks, one per factor-out in level order; empty for the {@code channels} policy. */
    public List<FactorOutMask> factorOutMasks() {
        return masks;
    }

    /** Per dimension of split point i, its likelihood contribution so far (the likelihood-contribution policy). */
    LikelihoodContribution.Contribution factorOutContribution(int i) {
        return contribution.orElseThrow(() -> new IllegalStateException("the factor-out policy is not likelihood-contribution"))
                .contribution(i);
    }

    /**
     * Called by the trainer after training step {@code step} on batch x: the likelihood-contribution
     * policy accumulates during its warm-up and fixes its masks after the last warm-up step; with
     * {@code factor-out-after-warmup = restart} the model then starts over ({@link #restart}).
     *
     * @return whether the model restarted from its initial parameters after this step (the trainer
     *         and the averages start over too)
     */
    public boolean afterTrainingStep(long step, INDArray x, INDArray labels) {
        renormalise();
        contribution.ifPresent(c -> c.observe(step, estimatorInputs(x, labels, step)));
        if (step != spec.factorOutPolicy().restartStep()) {
            return false;
        }
        restart(x, labels);
        return true;
    }

    /**
     * The last step after which this model restarted from its initial parameters, once {@code steps}
     * steps are done; 0 when it has not. Derived from the policy, so a resumed run knows it too.
     */
    public long restartedAfter(long steps) {
        long restart = spec.factorOutPolicy().restartStep();
        return restart > 0 && steps >= restart ? restart : 0;
    }

    /**
     * Back to the parameters (and constants, such as resflow's spectral-norm vectors) a fresh build with
     * this seed starts with, then data-dependently initialised on x with the fixed masks in place: the
     * state of a new run of this model with the masks the warm-up chose. The masks and the sums that
     * chose them stay.
     */
    private void restart(INDArray x, INDArray labels) {
        Set<String> keep = contribution.map(LikelihoodContribution::constantNames).orElse(Set.of());
        copyState(new FlowModel(spec, dtype, seed).sd, keep);
        initialise(x, labels);
    }

    /** Refines the weight constraints (resflow's spectral norms) after the weights changed; nothing for Glow and DLF. */
    public void renormalise() {
        stochastic.forEach(StochasticLayer::renormalise);
    }

    /**
     * The model to evaluate and sample with, holding this model's current weights: this model, unless
     * its log-det is stochastic. Then it is a second graph with the family's evaluation estimator
     * (resflow: eval-n-exact exact terms), this model's parameters and constants copied in and its
     * weight constraints refined for them (spectral norms: the weights may be the averaged ones), so
     * that this model's own state is untouched.
     */
    public FlowModel forEvaluation() {
        if (stochastic.isEmpty()) {
            return this;
        }
        if (evaluation == null) {
            evaluation = new FlowModel(spec.withStep(spec.step().forEvaluation()), dtype, seed);
        }
        evaluation.copyState(sd);
        evaluation.renormalise();
        evaluation.initialised = true;
        return evaluation;
    }

    public boolean isInitialised() {
        return initialised;
    }

    /**
     * Data-dependent initialisation (ActNorm): each layer, in forward order, is set from its input
     * on this batch with the layers before it already initialised.
     */
    public void initialise(INDArray x, INDArray labels) {
        Map<String, INDArray> in = inputs(x, labels);
        for (DataDependentInit layer : graph.dataDependentInits()) {
            layer.initialiseFrom(sd.output(in, layer.inputVariable()).get(layer.inputVariable()));
        }
        initialised = true;
    }

    /** Marks the model initialised without data (parameters restored from a checkpoint). */
    public void markInitialised() {
        initialised = true;
    }
}
