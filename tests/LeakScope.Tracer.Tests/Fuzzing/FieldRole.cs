namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>What a payload field means, so a mutation can corrupt "an id" or "a size" of any event kind.</summary>
internal enum FieldRole : byte
{
    Other,
    Id,
    Address,
    Size,
    Family,
    Kind,
    Site,
    Count,
    Text,
}
