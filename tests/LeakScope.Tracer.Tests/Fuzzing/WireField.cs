namespace LeakScope.Tracer.Tests.Fuzzing;

/// <summary>One field of an encoded payload: where it is, how wide (0 for a NUL-terminated UTF-16 string), what it means.</summary>
internal readonly record struct WireField(int Offset, int Width, FieldRole Role);
