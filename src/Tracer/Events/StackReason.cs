using LeakScope.Wire;

namespace LeakScope.Tracer.Events;

/// <summary>Why a stack sample was taken, which says how it is scaled (<see cref="WireStackReason"/>).</summary>
public enum StackReason : byte
{
    /// <summary>Not a known reason (a newer writer): weighted as exact.</summary>
    Unknown = WireStackReason.Unknown,

    /// <summary>Every operation carries its stack: the sample stands for itself, exactly.</summary>
    Every = WireStackReason.Every,

    /// <summary>Chosen by the byte-sampling Poisson process: scaled by the inverse of its probability, an estimate.</summary>
    Sampled = WireStackReason.Sampled,

    /// <summary>The first allocation at its site: stands for itself, exactly.</summary>
    FirstAtSite = WireStackReason.FirstAtSite,
}
