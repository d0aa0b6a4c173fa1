// DecodedImage.cs — one decoded image as float (C, H, W) in [0, 1].
namespace Cortex.Data.Images;

/// <summary>A decoded image: <see cref="Pixels"/> holds <see cref="Size"/> (C, H, W) floats in [0, 1].</summary>
public sealed record DecodedImage(float[] Pixels, ImageSize Size);
