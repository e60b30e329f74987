import { toBinary, type DescFile } from '@bufbuild/protobuf';
import {
  FileDescriptorSetSchema,
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { file_buf_validate_validate } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';

/**
 * The imports our .proto files may use that are not in proto/: buf/validate (compiled into
 * @bufbuild/protovalidate; its source is not shipped and must not be copied) and the
 * well-known types. protoc reads them with --descriptor_set_in, so it needs no include dir.
 */
const roots: readonly DescFile[] = [
  file_buf_validate_validate,
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
];

/** The files with their dependencies, dependencies first, each once. */
export function importFiles(): FileDescriptorProto[] {
  const seen = new Set<string>();
  const out: FileDescriptorProto[] = [];
  const visit = (file: DescFile): void => {
    if (seen.has(file.proto.name)) return;
    seen.add(file.proto.name);
    file.dependencies.forEach(visit);
    out.push(file.proto);
  };
  roots.forEach(visit);
  return out;
}

/** A serialized FileDescriptorSet for protoc's --descriptor_set_in. */
export function importDescriptorSet(): Uint8Array {
  return toBinary(FileDescriptorSetSchema, {
    $typeName: 'google.protobuf.FileDescriptorSet',
    file: importFiles(),
  });
}
