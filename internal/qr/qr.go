// Package qr is a QR code encoder (ISO/IEC 18004), just enough for an MFA device's enrolment
// image (CreateVirtualMFADevice's QRCodePNG): byte mode, error correction level M, versions
// 1–40, the mask chosen by the standard's penalty rules N1, N2 and N4, rendered as PNG. It is a
// leaf (standard library only); its tests decode its output with an independent reader.
package qr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
)

// Error correction level M, per version (index 0 unused): codewords per block and block count.
var (
	qrECCPerBlock = [41]int{0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
		26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28}
	qrBlocks = [41]int{0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
		17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49}
)

// qrRawModules is the number of modules of a version that hold data and EC codewords (all
// but the function patterns).
func qrRawModules(ver int) int {
	n := (16*ver+128)*ver + 64
	if ver >= 2 {
		align := ver/7 + 2
		n -= (25*align-10)*align - 55
		if ver >= 7 {
			n -= 36
		}
	}
	return n
}

func qrDataCodewords(ver int) int {
	return qrRawModules(ver)/8 - qrECCPerBlock[ver]*qrBlocks[ver]
}

// ErrTooLong is returned for data that does not fit the largest QR code.
var ErrTooLong = errors.New("qr: data too long for a QR code")

type qrCode struct {
	size     int
	dark     [][]bool
	function [][]bool
}

// qrEncode encodes data in the smallest version that holds it.
func qrEncode(data []byte) (*qrCode, error) {
	ver := 0
	for v := 1; v <= 40; v++ {
		countBits := 8
		if v >= 10 {
			countBits = 16
		}
		if 4+countBits+8*len(data) <= 8*qrDataCodewords(v) {
			ver = v
			break
		}
	}
	if ver == 0 {
		return nil, ErrTooLong
	}
	// Segment: mode 0100 (byte), character count, the bytes, terminator, padding.
	var bits []bool
	put := func(v, n int) {
		for i := n - 1; i >= 0; i-- {
			bits = append(bits, v>>i&1 == 1)
		}
	}
	put(4, 4)
	if ver >= 10 {
		put(len(data), 16)
	} else {
		put(len(data), 8)
	}
	for _, b := range data {
		put(int(b), 8)
	}
	capacity := 8 * qrDataCodewords(ver)
	put(0, min(4, capacity-len(bits)))
	put(0, (8-len(bits)%8)%8)
	for pad := 0xEC; len(bits) < capacity; pad ^= 0xEC ^ 0x11 {
		put(pad, 8)
	}
	codewords := make([]byte, len(bits)/8)
	for i, b := range bits {
		if b {
			codewords[i/8] |= 1 << (7 - i%8)
		}
	}

	q := &qrCode{size: 4*ver + 17}
	q.dark, q.function = make([][]bool, q.size), make([][]bool, q.size)
	for i := range q.dark {
		q.dark[i], q.function[i] = make([]bool, q.size), make([]bool, q.size)
	}
	q.drawFunctionPatterns(ver)
	q.drawCodewords(qrInterleave(ver, codewords))
	best, bestPenalty := 0, -1
	for mask := 0; mask < 8; mask++ {
		q.applyMask(mask)
		q.drawFormatBits(mask)
		if p := q.penalty(); bestPenalty < 0 || p < bestPenalty {
			best, bestPenalty = mask, p
		}
		q.applyMask(mask) // masking is its own inverse
	}
	q.applyMask(best)
	q.drawFormatBits(best)
	return q, nil
}

// set marks a function module (x column, y row).
func (q *qrCode) set(x, y int, dark bool) {
	q.dark[y][x], q.function[y][x] = dark, true
}

func (q *qrCode) drawFunctionPatterns(ver int) {
	for i := 0; i < q.size; i++ {
		q.set(6, i, i%2 == 0)
		q.set(i, 6, i%2 == 0)
	}
	for _, c := range [][2]int{{3, 3}, {q.size - 4, 3}, {3, q.size - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := c[0]+dx, c[1]+dy
				if x >= 0 && x < q.size && y >= 0 && y < q.size {
					d := max(abs(dx), abs(dy))
					q.set(x, y, d != 2 && d != 4)
				}
			}
		}
	}
	pos := qrAlignment(ver, q.size)
	for i, x := range pos {
		for j, y := range pos {
			if i == 0 && j == 0 || i == 0 && j == len(pos)-1 || i == len(pos)-1 && j == 0 {
				continue // the finder patterns' corners
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					q.set(x+dx, y+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	q.drawFormatBits(0) // reserves the format areas; redrawn with the chosen mask
	if ver >= 7 {
		rem := ver
		for i := 0; i < 12; i++ {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		v := ver<<12 | rem
		for i := 0; i < 18; i++ {
			dark := v>>i&1 == 1
			a, b := q.size-11+i%3, i/3
			q.set(a, b, dark)
			q.set(b, a, dark)
		}
	}
}

// qrAlignment is the list of alignment pattern centre coordinates.
func qrAlignment(ver, size int) []int {
	if ver == 1 {
		return nil
	}
	n := ver/7 + 2
	step := 26
	if ver != 32 {
		step = (ver*4 + n*2 + 1) / (n*2 - 2) * 2
	}
	pos := make([]int, n)
	pos[0] = 6
	for i, p := n-1, size-7; i >= 1; i, p = i-1, p-step {
		pos[i] = p
	}
	return pos
}

// drawFormatBits draws both copies of the format information for level M and mask.
func (q *qrCode) drawFormatBits(mask int) {
	data := 0<<3 | mask // level M is 00
	rem := data
	for i := 0; i < 10; i++ {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	bits := (data<<10 | rem) ^ 0x5412
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := 0; i <= 5; i++ {
		q.set(8, i, bit(i))
	}
	q.set(8, 7, bit(6))
	q.set(8, 8, bit(7))
	q.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		q.set(14-i, 8, bit(i))
	}
	for i := 0; i < 8; i++ {
		q.set(q.size-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		q.set(8, q.size-15+i, bit(i))
	}
	q.set(8, q.size-8, true) // the dark module
}

// qrInterleave splits the data into blocks, appends each block's Reed-Solomon codewords and
// interleaves them as the standard orders them.
func qrInterleave(ver int, data []byte) []byte {
	numBlocks, eccLen := qrBlocks[ver], qrECCPerBlock[ver]
	raw := qrRawModules(ver) / 8
	numShort := numBlocks - raw%numBlocks
	shortLen := raw / numBlocks
	divisor := rsDivisor(eccLen)
	blocks := make([][]byte, numBlocks)
	k := 0
	for i := range blocks {
		n := shortLen - eccLen
		if i >= numShort {
			n++
		}
		dat := data[k : k+n]
		k += n
		b := append([]byte(nil), dat...)
		if i < numShort {
			b = append(b, 0) // placeholder so all blocks index alike; skipped below
		}
		blocks[i] = append(b, rsRemainder(dat, divisor)...)
	}
	out := make([]byte, 0, raw)
	for i := 0; i <= shortLen; i++ {
		for j, b := range blocks {
			if i != shortLen-eccLen || j >= numShort {
				out = append(out, b[i])
			}
		}
	}
	return out
}

func gfMul(x, y int) int {
	z := 0
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x11D
		z ^= (y >> i & 1) * x
	}
	return z
}

func rsDivisor(degree int) []byte {
	r := make([]byte, degree)
	r[degree-1] = 1
	root := 1
	for i := 0; i < degree; i++ {
		for j := range r {
			r[j] = byte(gfMul(int(r[j]), root))
			if j+1 < len(r) {
				r[j] ^= r[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return r
}

func rsRemainder(data, divisor []byte) []byte {
	r := make([]byte, len(divisor))
	for _, b := range data {
		f := int(b ^ r[0])
		copy(r, r[1:])
		r[len(r)-1] = 0
		for i := range r {
			r[i] ^= byte(gfMul(int(divisor[i]), f))
		}
	}
	return r
}

// drawCodewords places the bits in the zigzag order, two columns at a time from the right.
func (q *qrCode) drawCodewords(data []byte) {
	i := 0
	for right := q.size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5 // the vertical timing pattern's column is skipped
		}
		for vert := 0; vert < q.size; vert++ {
			for j := 0; j < 2; j++ {
				x := right - j
				y := vert
				if (right+1)&2 == 0 {
					y = q.size - 1 - vert
				}
				if !q.function[y][x] && i < len(data)*8 {
					q.dark[y][x] = data[i>>3]>>(7-i&7)&1 == 1
					i++
				}
			}
		}
	}
}

func (q *qrCode) applyMask(mask int) {
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; x++ {
			var flip bool
			switch mask {
			case 0:
				flip = (x+y)%2 == 0
			case 1:
				flip = y%2 == 0
			case 2:
				flip = x%3 == 0
			case 3:
				flip = (x+y)%3 == 0
			case 4:
				flip = (x/3+y/2)%2 == 0
			case 5:
				flip = x*y%2+x*y%3 == 0
			case 6:
				flip = (x*y%2+x*y%3)%2 == 0
			default:
				flip = ((x+y)%2+x*y%3)%2 == 0
			}
			if flip && !q.function[y][x] {
				q.dark[y][x] = !q.dark[y][x]
			}
		}
	}
}

// penalty scores a masked symbol with rules N1 (runs), N2 (2×2 blocks) and N4 (balance).
func (q *qrCode) penalty() int {
	p, darkCount := 0, 0
	for i := 0; i < q.size; i++ {
		runRow, runCol := 1, 1
		for j := 1; j < q.size; j++ {
			for _, r := range []struct {
				run       *int
				same      bool
				lastInRun bool
			}{
				{&runRow, q.dark[i][j] == q.dark[i][j-1], j == q.size-1},
				{&runCol, q.dark[j][i] == q.dark[j-1][i], j == q.size-1},
			} {
				if r.same {
					*r.run++
				}
				if !r.same || r.lastInRun {
					if *r.run >= 5 {
						p += 3 + *r.run - 5
					}
					if !r.same {
						*r.run = 1
					}
				}
			}
		}
	}
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; x++ {
			if q.dark[y][x] {
				darkCount++
			}
			if x > 0 && y > 0 {
				c := q.dark[y][x]
				if c == q.dark[y-1][x] && c == q.dark[y][x-1] && c == q.dark[y-1][x-1] {
					p += 3
				}
			}
		}
	}
	total := q.size * q.size
	k := (abs(darkCount*20-total*10) + total - 1) / total
	return p + (k-1)*10
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// PNG renders data as a QR code PNG: scale pixels per module and the standard four-module
// quiet zone.
func PNG(data []byte, scale int) ([]byte, error) {
	q, err := qrEncode(data)
	if err != nil {
		return nil, err
	}
	const quiet = 4
	side := (q.size + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := 0; y < q.size; y++ {
		for x := 0; x < q.size; x++ {
			if !q.dark[y][x] {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				row := ((y+quiet)*scale + dy) * img.Stride
				for dx := 0; dx < scale; dx++ {
					img.Pix[row+(x+quiet)*scale+dx] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
