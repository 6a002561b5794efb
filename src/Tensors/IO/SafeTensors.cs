using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Reasoner.Tensors.IO;

/// <summary>One tensor of a safetensors file, converted to fp32. Shape is row-major (C order).</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data)
{
    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}

/// <summary>The tensors of a safetensors file in the order of their data, plus its __metadata__ strings.</summary>
public sealed class SafeTensorsFile(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
{
    public string Path { get; } = path;
    public IReadOnlyList<NamedTensor> Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    public bool Contains(string name) => Tensors.Any(t => t.Name == name);

    /// <summary>The tensor called <paramref name="name"/>, which must have exactly <paramref name="shape"/>.</summary>
    public NamedTensor Get(string name, params int[] shape)
    {
        var tensor = Tensors.FirstOrDefault(t => t.Name == name)
            ?? throw new InvalidDataException($"{Path}: missing tensor '{name}' (expected shape [{string.Join(",", shape)}])");
        if (!tensor.Shape.SequenceEqual(shape))
            throw new InvalidDataException($"{Path}: tensor '{name}' has shape {tensor.ShapeText}, expected [{string.Join(",", shape)}]");
        return tensor;
    }

    public string GetMetadata(string key) => Metadata.TryGetValue(key, out var value)
        ? value : throw new InvalidDataException($"{Path}: missing metadata '{key}'");
}

/// <summary>
/// The safetensors format (https://huggingface.co/docs/safetensors): u64 little-endian header length N, N bytes of JSON
/// mapping name -> {dtype, shape, data_offsets [begin, end) relative to byte 8+N}, then the raw little-endian data.
/// Writes F32; reads F32, F16 and BF16. Anything inconsistent is an InvalidDataException naming the file and the tensor.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100_000_000; // the format's own limit against absurd headers

    /// <summary>Writes the tensors as F32 in the given order, the header padded with spaces to a multiple of 8 (as torch_ref.py does).</summary>
    public static void Write(string path, IEnumerable<(string Name, int[] Shape, ReadOnlyMemory<float> Data)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        var list = tensors.ToList();
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            foreach (var (key, value) in metadata) writer.WriteString(key, value);
            writer.WriteEndObject();
            long offset = 0;
            foreach (var (name, shape, data) in list)
            {
                long elements = shape.Aggregate(1L, (a, b) => a * b);
                if (elements != data.Length) throw new ArgumentException($"tensor '{name}' has {data.Length} values for shape [{string.Join(",", shape)}]");
                writer.WriteStartObject(name);
                writer.WriteString("dtype", "F32");
                writer.WriteStartArray("shape");
                foreach (int dim in shape) writer.WriteNumberValue(dim);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + 4 * elements);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += 4 * elements;
            }
            writer.WriteEndObject();
        }
        int padding = (int)(-json.Length & 7);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + padding));
        file.Write(length);
        file.Write(json.GetBuffer(), 0, (int)json.Length);
        for (int i = 0; i < padding; i++) file.WriteByte((byte)' ');
        foreach (var (_, _, data) in list)
        {
            var bytes = new byte[data.Length * 4];
            var span = data.Span;
            for (int i = 0; i < span.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), span[i]);
            file.Write(bytes);
        }
    }

    public static SafeTensorsFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such safetensors file", path);
        return Parse(path, File.ReadAllBytes(path));
    }

    /// <summary>Parses the bytes of a safetensors file; <paramref name="path"/> only names it in errors.</summary>
    public static SafeTensorsFile Parse(string path, byte[] bytes)
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{path}: truncated file of {bytes.Length} bytes, too short for the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw new InvalidDataException($"{path}: header claims {headerLength} bytes but the file has {bytes.Length - 8} after the length");
        long dataStart = 8 + (long)headerLength, dataLength = bytes.Length - dataStart;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{path}: header is not valid JSON ({error.Message})", error);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: header is not a JSON object");
            var metadata = new Dictionary<string, string>();
            var entries = new List<(long Begin, NamedTensor Tensor)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: __metadata__ is not an object");
                    foreach (var item in property.Value.EnumerateObject())
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String
                            ? item.Value.GetString()! : throw new InvalidDataException($"{path}: metadata '{item.Name}' is not a string");
                    continue;
                }
                var (begin, tensor) = ReadTensor(path, property, bytes, dataStart, dataLength);
                entries.Add((begin, tensor));
            }
            return new SafeTensorsFile(path, entries.OrderBy(e => e.Begin).Select(e => e.Tensor).ToList(), metadata);
        }
    }

    private static (long Begin, NamedTensor Tensor) ReadTensor(string path, JsonProperty property, byte[] bytes, long dataStart, long dataLength)
    {
        string name = property.Name;
        InvalidDataException Bad(string what) => new($"{path}: tensor '{name}': {what}");
        var info = property.Value;
        if (info.ValueKind != JsonValueKind.Object) throw Bad("entry is not an object");
        if (!info.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String) throw Bad("missing dtype");
        string dtype = dtypeElement.GetString()!;
        int size = dtype switch { "F32" => 4, "F16" => 2, "BF16" => 2, _ => throw Bad($"unsupported dtype '{dtype}' (F32, F16 or BF16)") };
        if (!info.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array) throw Bad("missing shape");
        var shape = new int[shapeElement.GetArrayLength()];
        int index = 0;
        foreach (var dim in shapeElement.EnumerateArray())
            shape[index++] = dim.ValueKind == JsonValueKind.Number && dim.TryGetInt32(out int d) && d >= 0 ? d : throw Bad($"bad shape entry {dim}");
        if (!info.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Bad("missing data_offsets [begin, end]");
        long[] range = offsets.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long v) ? v : -1).ToArray();
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        if (range[0] < 0 || range[1] < range[0]) throw Bad($"bad data_offsets [{range[0]}, {range[1]})");
        if (range[1] > dataLength) throw Bad($"data_offsets [{range[0]}, {range[1]}) run past the {dataLength} bytes of data (truncated file?)");
        if (range[1] - range[0] != elements * size)
            throw Bad($"shape [{string.Join(",", shape)}] of {dtype} needs {elements * size} bytes but data_offsets span {range[1] - range[0]}");
        if (elements > Array.MaxLength) throw Bad($"{elements} elements are too many for one array");
        var data = new float[elements];
        var source = bytes.AsSpan((int)(dataStart + range[0]), (int)(range[1] - range[0]));
        for (int i = 0; i < data.Length; i++)
            data[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(source.Slice(4 * i)),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(2 * i)),
                _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source.Slice(2 * i)) << 16),
            };
        return (range[0], new NamedTensor(name, shape, data));
    }
}
