package io.flowbench.samediff;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.function.Supplier;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.config.ExecutionResult;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * SameDiff's inference session with the fixes flows need, installed by {@link #install()}, which programs
 * that execute flows call once at start-up (the CLI, tests through their models' builder).
 * <ul>
 * <li>A fast subgraph search. Before every execution, SameDiff 1.0.0-M2.1 works out which ops the
 * requested outputs need ({@code AbstractSession.initSubgraph}) by a breadth-first walk that re-queues a
 * variable's inputs each time the variable is dequeued, so shared variables are walked again and again,
 * with a regular expression per visit: in a flow, where every step reuses its input several times,
 * seconds per call (DLF sampling spent 4-8 s per batch there). This walk visits each variable once, which
 * finds the same set, and remembers the result per recently requested set of variables until the graph
 * changes.</li>
 * <li>Bookkeeping bounded per execution. The base session records the id of every array it releases and
 * never forgets one (1,700 ids per Glow training step, a gigabyte of heap over a long run), and its array
 * cache keeps arrays nothing asks for again ({@link BoundedArrayCache}).</li>
 * <li>Unique array ids. The array cache hands arrays out again under ids that new arrays also get, and the
 * session, which skips releasing an id it has released, then left a quarter of a step's arrays to the garbage
 * collector ({@link BoundedArrayCache}).</li>
 * <li>Ops computed in Java ({@link ComposedOp}).</li>
 * </ul>
 */
public final class FlowSession extends InferenceSession {

    /** The recording the ops this thread runs are told to, if any. */
    private static final ThreadLocal<ReplayedExecution.Recording> RECORDING = new ThreadLocal<>();

    /** How many recently requested sets of variables keep their subgraph. */
    private static final int CACHED_REQUESTS = 64;

    /** The ops and variables needed for one request, in the order the base class finds them (never modified). */
    private record Subgraph(Set<String> variables, Set<String> ops, Set<String> zeroInputOps) { }

    /**
     * Requests seen recently, least recently used first. Bounded because Residual Flows' training asks
     * for a different set of partial sums at almost every step (one per block's draw).
     */
    private final Map<Set<String>, Subgraph> subgraphs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Set<String>, Subgraph> eldest) {
            return size() > CACHED_REQUESTS;
        }
    };
    private int cachedForOps = -1;
    private int cachedForVariables = -1;

    private final BoundedArrayCache arrays = new BoundedArrayCache();

    FlowSession(SameDiff sameDiff) {
        super(sameDiff);
        setMmgr(arrays);
    }

    /**
     * Makes every SameDiff session in this JVM one of these. SameDiff's session factory is global, so
     * this is a process-wide setting: idempotent, and harmless to graphs that are not flows.
     */
    public static void install() {
        SameDiff.bindInferenceFactory(FlowSession::new);
    }

    /** Called by the base class as each execution begins, before any op runs. */
    @Override
    protected void initSubgraph(Set<String> variables) {
        // An id guards against releasing an array twice in one execution; an array reused from the cache
        // gets a new id, so the ids of earlier executions never match again.
        freedArrays.clear();
        arrays.startExecution();
        int ops = sameDiff.getOps().size();
        int vars = sameDiff.getVariables().size();
        if (ops != cachedForOps || vars != cachedForVariables) {
            subgraphs.clear();
            cachedForOps = ops;
            cachedForVariables = vars;
        }
        Subgraph s = subgraphs.computeIfAbsent(Set.copyOf(variables), this::search);
        subgraph.addAll(s.variables());
        subgraphOps.addAll(s.ops());
        zeroInputOpsInSubgraph.addAll(s.zeroInputOps());
    }

    /** Runs {@link ComposedOp}s in Java; every other op as the base class does. Tells a recording of this thread. */
    @Override
    public ExecutionResult doExec(DifferentialFunction op, OpContext context, FrameIter frameIter, Set<VarId> opInputs,
                                  Set<VarId> allIterInputs, Set<String> constAndPhInputs, Map<String, SDValue> otherPlaceholders) {
        ExecutionResult result;
        if (op instanceof ComposedOp composed) {
            composed.compute(context.getInputArrays().toArray(INDArray[]::new), context.getOutputArrays().toArray(INDArray[]::new));
            result = ExecutionResult.createFrom(op, context);
        } else {
            result = super.doExec(op, context, frameIter, opInputs, allIterInputs, constAndPhInputs, otherPlaceholders);
        }
        ReplayedExecution.Recording recording = RECORDING.get();
        if (recording != null) {
            recording.add(op, context, result);
        }
        return result;
    }

    /** Runs {@code execution} with every op this thread's sessions run told to {@code recording}. */
    static <T> T recording(ReplayedExecution.Recording recording, Supplier<T> execution) {
        RECORDING.set(recording);
        try {
            return execution.get();
        } finally {
            RECORDING.remove();
        }
    }

    /** Closes the arrays this thread's session of {@code sd} keeps for later executions, if it has one. */
    static void dropCachedArrays(SameDiff sd) {
        if (sd.getSessions().get(Thread.currentThread().getId()) instanceof FlowSession session) {
            session.arrays.clear();
        }
    }

    /** How many released arrays' ids the session holds (for tests). */
    int releasedIdsHeld() {
        return freedArrays.size();
    }

    /** How many arrays the session's cache holds (for tests). */
    int cachedArrays() {
        return arrays.size();
    }

    /** How many arrays of this type and shape the session's cache holds (for tests). */
    int cachedArrays(DataType type, long... shape) {
        return arrays.size(type, shape);
    }

    /** What AbstractSession.initSubgraph computes: the variables and ops the requested ones depend on. */
    private Subgraph search(Set<String> requested) {
        Set<String> vars = new LinkedHashSet<>();
        Set<String> opsNeeded = new LinkedHashSet<>();
        Set<String> zeroInput = new HashSet<>();
        Queue<String> queue = new ArrayDeque<>(requested);
        Set<String> queued = new HashSet<>(requested);
        while (!queue.isEmpty()) {
            String varName = queue.remove();
            Variable v = sameDiff.getVariables().get(varName);
            String opName = null;
            if (v != null && v.getOutputOfOp() != null && sameDiff.getOps().containsKey(opOf(v.getOutputOfOp()))) {
                opName = opOf(v.getOutputOfOp());
            }
            if (v == null && opName == null) {
                // A renamed output: the base class follows the op of that name to its first output.
                SameDiffOp renamed = sameDiff.getOps().get(varName);
                v = renamed == null ? null : sameDiff.getVariables().get(renamed.getOutputsOfOp().get(0));
                if (v == null) {
                    throw new IllegalStateException("No variable found with name " + varName + "!");
                }
            }
            String[] opInputs = null;
            if (opName != null) {
                DifferentialFunction op = sameDiff.getOpById(opName);
                opInputs = sameDiff.getInputsForOp(op);
            }
            int inputs = (opInputs == null ? 0 : opInputs.length) + (v.getControlDeps() == null ? 0 : v.getControlDeps().size());
            if (inputs == 0 && opName != null) {
                zeroInput.add(opName);
            }
            vars.add(varName);
            enqueue(queue, queued, v.getControlDeps());
            if (opName != null) {
                opsNeeded.add(opName);
                if (opInputs != null) {
                    enqueue(queue, queued, List.of(opInputs));
                }
                enqueue(queue, queued, sameDiff.getOps().get(opName).getControlDeps());
            }
        }
        return new Subgraph(vars, opsNeeded, zeroInput);
    }

    private static void enqueue(Queue<String> queue, Set<String> queued, List<String> names) {
        if (names != null) {
            for (String n : names) {
                if (queued.add(n)) {
                    queue.add(n);
                }
            }
        }
    }

    /** The op name of a variable's producer ("op:1" names output 1 of op "op"). */
    private static String opOf(String outputOfOp) {
        int colon = outputOfOp.lastIndexOf(':');
        if (colon > 0 && colon < outputOfOp.length() - 1
                && outputOfOp.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            return outputOfOp.substring(0, colon);
        }
        return outputOfOp;
    }
}
