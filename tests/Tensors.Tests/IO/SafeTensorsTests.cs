using System.Buffers.Binary;
using System.Text;
using Reasoner.Tensors.IO;

namespace Reasoner.Tensors.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("safetensors-tests").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static byte[] File(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    [Fact]
    public void Written_tensors_read_back_in_order_with_their_metadata()
    {
        string path = Path.Combine(_directory, "a.safetensors");
        SafeTensors.Write(path, [("wte", [2, 3], new float[] { 1, 2, 3, 4, 5, -6.5f }), ("bias", [1], new float[] { 0.25f })],
            new Dictionary<string, string> { ["n_layer"] = "2" });
        var file = SafeTensors.Read(path);
        Assert.Equal(["wte", "bias"], file.Tensors.Select(t => t.Name));
        Assert.Equal([1f, 2, 3, 4, 5, -6.5f], file.Get("wte", 2, 3).Data);
        Assert.Equal("2", file.GetMetadata("n_layer"));
        Assert.Equal(0, (new FileInfo(path).Length - 8 - 24) % 4);
        Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(System.IO.File.ReadAllBytes(path)) % 8); // header padded to 8
    }

    [Fact]
    public void F16_and_BF16_tensors_are_converted_to_F32()
    {
        var data = new byte[8];
        BinaryPrimitives.WriteHalfLittleEndian(data, (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2), (Half)(-0.25f));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), (ushort)(BitConverter.SingleToInt32Bits(3.0f) >> 16));
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), (ushort)(BitConverter.SingleToInt32Bits(-1.0f) >> 16));
        var file = SafeTensors.Parse("mixed.safetensors", File(
            """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}""", data));
        Assert.Equal([1.5f, -0.25f], file.Get("h", 2).Data);
        Assert.Equal([3f, -1f], file.Get("b", 2).Data);
    }

    public static TheoryData<string, byte[], string> CorruptFiles => new()
    {
        { "truncated length", [1, 2, 3], "too short" },
        { "header longer than file", File("{}", []).Select((b, i) => i == 0 ? (byte)200 : b).ToArray(), "header claims" },
        { "bad json", File("{\"w\":", []), "not valid JSON" },
        { "unknown dtype", File("""{"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", new byte[8]), "'w': unsupported dtype 'I64'" },
        { "offsets past the end", File("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[8]), "'w': data_offsets [0, 16) run past" },
        { "shape lies about size", File("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]), "'w': shape [3] of F32 needs 12 bytes" },
        { "reversed offsets", File("""{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", new byte[8]), "'w': bad data_offsets" },
        { "missing shape", File("""{"w":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]), "'w': missing shape" },
        { "negative dimension", File("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", new byte[4]), "'w': bad shape entry" },
    };

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void A_corrupt_file_is_an_InvalidDataException_naming_file_and_tensor(string name, byte[] bytes, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => SafeTensors.Parse($"{name}.safetensors", bytes));
        Assert.StartsWith($"{name}.safetensors: ", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_missing_or_mis_shaped_tensor_is_named()
    {
        var file = SafeTensors.Parse("m.safetensors", File("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", new byte[8]));
        Assert.Contains("m.safetensors: missing tensor 'v'", Assert.Throws<InvalidDataException>(() => file.Get("v", 2)).Message);
        Assert.Contains("m.safetensors: tensor 'w' has shape [2], expected [1,2]", Assert.Throws<InvalidDataException>(() => file.Get("w", 1, 2)).Message);
    }
}
