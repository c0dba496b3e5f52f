import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** One uploaded file, served at /uploads/<name>; rows are written once and never changed. */
export interface UploadsTable {
  id: Generated<number>;
  /** `<32 hex>.<ext>`: unique, random, so a name never means two contents. */
  name: string;
  content_type: string;
  byte_length: number;
  /** Hex SHA-256 of `data`: the ETag. */
  sha256: string;
  data: Buffer;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type UploadRow = Selectable<UploadsTable>;
export type NewUploadRow = Insertable<UploadsTable>;
